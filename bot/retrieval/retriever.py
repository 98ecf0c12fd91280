"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank.

Dense search carries meaning across languages; lexical search catches exact
names, numbers and article references. Reciprocal-rank fusion needs no score
calibration between the two, which matters because E5 cosine scores sit in a
narrow band while BM25 scores are unbounded. Language and country are
preferences (a small bonus), never filters: a Nepali question must still find
the English passage when no Nepali one exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from bot.index.snapshot import DocInfo
from bot.index.view import IndexView
from bot.knowledge.models import Passage

RRF_K = 60
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.6
LANG_BONUS = 0.003
COUNTRY_BONUS = 0.004
CANDIDATES = 40


@dataclass(frozen=True)
class Hit:
    passage: Passage
    doc: DocInfo
    score: float  # fused score, higher is better
    similarity: float | None  # cosine similarity to the question, when dense search found it


@dataclass(frozen=True)
class Retrieval:
    hits: list[Hit]  # passages, best first
    top_similarity: float  # best dense similarity: the relevance signal

    def documents(self) -> list[str]:
        """Document ids in rank order, each once (translations share an id)."""
        return list(dict.fromkeys(h.passage.doc_id for h in self.hits))


def retrieve(
    view: IndexView,
    embedder: Embeddings,
    question: str,
    *,
    lang: str | None = None,
    country: str | None = None,
    k: int = 20,
    lexical: bool = True,
) -> Retrieval:
    vector = embedder.embed_query(question)
    dense = view.store.query(vector, CANDIDATES, where={"status": "published"})
    scores: dict[int, float] = {}
    similarity: dict[int, float] = {}
    for rank, (pid, sim) in enumerate(dense):
        idx = view.by_id.get(pid)
        if idx is None:  # a vector without its passage: never serve it
            continue
        similarity[idx] = sim
        scores[idx] = scores.get(idx, 0.0) + DENSE_WEIGHT / (RRF_K + rank + 1)
    if lexical:
        for rank, (idx, _score) in enumerate(view.lexical.search(question, CANDIDATES)):
            scores[idx] = scores.get(idx, 0.0) + LEXICAL_WEIGHT / (RRF_K + rank + 1)

    for idx in scores:
        passage = view.passages[idx]
        if lang and passage.lang == lang:
            scores[idx] += LANG_BONUS
        if country:
            countries = view.doc(passage).countries
            if country in countries:
                scores[idx] += COUNTRY_BONUS

    ranked = sorted(scores, key=lambda i: (-scores[i], i))
    hits: list[Hit] = []
    seen: set[str] = set()
    for i in ranked:
        passage = view.passages[i]
        if lang and passage.lang != lang:
            # Quote the user's language when the document was translated into it.
            passage = view.translation(passage, lang) or passage
        if passage.id in seen:
            continue
        seen.add(passage.id)
        hits.append(Hit(passage, view.doc(passage), scores[i], similarity.get(i)))
        if len(hits) >= k:
            break
    top = max(similarity.values(), default=0.0)
    return Retrieval(hits=hits, top_similarity=top)
