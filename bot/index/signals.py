"""Guide-level vectors embedded at ingest beside the passage vectors (issue 15).

Ranking a guide first needs more than its best passage's similarity. More
texts are embedded once per generation and kept in ``signals.npz`` in the
generation's folder:

- each passage's **heading path** ("Your rights > A lawyer"), as a query: a
  question is matched question-to-heading, since headings are phrased like the
  questions they answer;
- each guide's **card**: its title and the list of its headings, as a query:
  what the guide is about as a whole;
- each guide's **topics** (front matter ``topics:``), as a passage: the
  situation words editors chose (passport, contract, missing, arrested);
- each guide's **example questions** (front matter ``questions:``), as queries:
  matched question to question, the editors' own guess at what readers type; a
  translation's own list is kept beside the English one, and a guide counts the
  mean over all its versions' questions;
- the passages of **drafts** that have no published version, as passages: never
  quoted (only their vectors and ids are kept), they let the advisor see that a
  question is about a topic only a draft covers, and answer ``no_answer``
  instead of quoting unrelated guides.

Query-role vectors are cached under the model's key plus ``#query``, topics
under ``#topics``, so they never mix with the passage vectors. A generation
without the file (written by an older version) is served without these signals.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.index.cache import EmbeddingCache, text_hash
from bot.index.embedders import Embedder
from bot.index.snapshot import DocInfo
from bot.knowledge.models import Passage

log = logging.getLogger(__name__)

QUERY_ROLE = "#query"
TOPICS_ROLE = "#topics"
DRAFT_ROLE = "#draft"

DocKey = tuple[str, str]  # (doc_id, lang)


@dataclass
class Signals:
    headings: np.ndarray  # one row per passage of the snapshot, in its order
    docs: list[DocKey]  # the rows of ``cards`` and ``topics``
    cards: np.ndarray
    topics: np.ndarray
    drafts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    draft_docs: list[str] = field(default_factory=list)  # the doc id of each row of drafts
    questions: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    question_docs: list[str] = field(default_factory=list)  # the doc id of each question
    rows: dict[DocKey, int] = field(init=False)
    question_guides: list[str] = field(init=False)  # each guide with questions, once
    question_rows: np.ndarray = field(init=False)  # each question's place in question_guides

    def __post_init__(self) -> None:
        self.rows = {k: i for i, k in enumerate(self.docs)}
        self.question_guides = list(dict.fromkeys(self.question_docs))
        place = {d: i for i, d in enumerate(self.question_guides)}
        self.question_rows = np.array([place[d] for d in self.question_docs], dtype=np.intp)

    def question_match(self, vector: np.ndarray) -> dict[str, float]:
        """Each guide's mean cosine between ``vector`` and its example questions.

        The mean, not the best: one generic example question ("what can my
        embassy do") then cannot pull a guide up for every question near it.
        """
        if not self.question_docs:
            return {}
        total = np.zeros(len(self.question_guides), dtype=np.float64)
        np.add.at(total, self.question_rows, self.questions @ vector)
        count = np.bincount(self.question_rows, minlength=len(self.question_guides))
        return dict(zip(self.question_guides, (total / count).tolist(), strict=True))

    def to_bytes(self) -> bytes:
        """The signals as one ``.npz`` blob: a file beside a folder generation, parts in
        the shared database beside its snapshot (``bot.index.catalog``)."""
        out = io.BytesIO()
        np.savez(
            out,
            headings=self.headings,
            docs=np.array([f"{d}\t{lang}" for d, lang in self.docs]),
            cards=self.cards,
            topics=self.topics,
            drafts=self.drafts,
            draft_docs=np.array(self.draft_docs, dtype=str),
            questions=self.questions,
            question_docs=np.array(self.question_docs, dtype=str),
        )
        return out.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes | None, generation: str, passages: int) -> Signals | None:
        """The generation's signals, or None when it has none or they do not fit it."""
        if blob is None:
            log.warning("index generation %s has no guide signals: they are off; run "
                        "`bot ingest --force` to add them", generation)
            return None
        with np.load(io.BytesIO(blob)) as data:
            docs = [tuple(str(s).split("\t", 1)) for s in data["docs"]]
            signals = cls(
                headings=data["headings"],
                docs=[(d[0], d[1]) for d in docs],
                cards=data["cards"],
                topics=data["topics"],
                drafts=data["drafts"] if "drafts" in data else np.zeros((0, 0), np.float32),
                draft_docs=[str(d) for d in data["draft_docs"]] if "draft_docs" in data else [],
                # Generations written before example questions existed have none.
                questions=data["questions"] if "questions" in data
                else np.zeros((0, 0), np.float32),
                question_docs=[str(d) for d in data["question_docs"]]
                if "question_docs" in data else [],
            )
        if signals.headings.shape[0] != passages:
            log.error("the guide signals of generation %s do not match its passages: "
                      "they are off", generation)
            return None
        return signals


def heading_text(passage: Passage) -> str:
    return passage.section or passage.title


def card_text(doc: DocInfo, headings: Sequence[str]) -> str:
    return f"{doc.title}. " + "; ".join(headings)


def topics_text(doc: DocInfo) -> str:
    return ", ".join(doc.topics) or doc.title


def build_signals(
    passages: Sequence[Passage],
    documents: Sequence[DocInfo],
    embedder: Embedder,
    cache_file: Path,
    drafts: Sequence[Passage] = (),
) -> Signals:
    """Embed (or take from the cache) the heading, card, topics, question and draft vectors.

    ``drafts`` are the passages of unpublished documents; those of a document
    that also has a published version are left out.
    """
    headings: dict[DocKey, list[str]] = {}
    for p in passages:
        own = headings.setdefault((p.doc_id, p.lang), [])
        if p.section and p.section not in own:
            own.append(p.section)
    docs = [(d.doc_id, d.lang) for d in documents]
    published = {d.doc_id for d in documents}
    unpublished = [p for p in drafts if p.doc_id not in published]
    queries = EmbeddingCache(cache_file, embedder.key + QUERY_ROLE)
    topics = EmbeddingCache(cache_file, embedder.key + TOPICS_ROLE)
    draft_cache = EmbeddingCache(cache_file, embedder.key + DRAFT_ROLE)
    try:
        heading_texts = [heading_text(p) for p in passages]
        card_texts = [card_text(d, headings.get((d.doc_id, d.lang), [])) for d in documents]
        topic_texts = [topics_text(d) for d in documents]
        asked = [(d.doc_id, q) for d in documents for q in d.questions]
        question_texts = [q for _doc, q in asked]
        heading_vectors = _vectors(heading_texts, embedder.embed_queries, queries)
        card_vectors = _vectors(card_texts, embedder.embed_queries, queries)
        topic_vectors = _vectors(topic_texts, embedder.embed_passages, topics)
        question_vectors = _vectors(question_texts, embedder.embed_queries, queries)
        queries.prune({text_hash(t) for t in heading_texts + card_texts + question_texts})
        topics.prune({text_hash(t) for t in topic_texts})
        draft_texts = [p.embedding_text() for p in unpublished]
        draft_vectors = _vectors(draft_texts, embedder.embed_passages, draft_cache)
        draft_cache.prune({text_hash(t) for t in draft_texts})
    finally:
        queries.close()
        topics.close()
        draft_cache.close()
    return Signals(headings=heading_vectors, docs=docs, cards=card_vectors,
                   topics=topic_vectors, drafts=draft_vectors,
                   draft_docs=[p.doc_id for p in unpublished],
                   questions=question_vectors, question_docs=[d for d, _q in asked])


def _vectors(
    texts: list[str],
    embed: Callable[[Sequence[str]], list[list[float]]],
    cache: EmbeddingCache,
    batch: int = 32,
) -> np.ndarray:
    hashes = [text_hash(t) for t in texts]
    known = cache.get_many(hashes)
    missing = list(dict.fromkeys(t for t, h in zip(texts, hashes, strict=True)
                                 if h not in known))
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        fresh = [(text_hash(t), np.asarray(v, dtype=np.float32))
                 for t, v in zip(chunk, embed(chunk), strict=True)]
        cache.put_many(fresh)
        known.update(fresh)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([known[h] for h in hashes]).astype(np.float32)
