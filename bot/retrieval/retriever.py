"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank.

Dense search carries meaning across languages, with one bias that we measured
and correct: the embedding model ranks passages in the question's own language
above better passages in another. A Swahili question about a guide that exists
only in English then loses to any Swahili passage. So dense search runs twice,
among the passages in the pivot language (English: every guide exists in it)
and among those in the question's language, and a section (a document and a
heading, whatever its language) takes the better of its two ranks. The second
list holds only the translated guides, so its ranks are stretched by how much
smaller it is (rank r becomes 1 + (r - 1) * pivot passages / own passages):
being third among eleven translated guides says less than being third among
all thirty, and unstretched, the translations crowded out the English-only
guide that answers the question. Fusing ranks needs no score calibration, which
matters because E5 cosine scores sit in a narrow band.

Lexical search is for what embeddings blur: numbers, article references,
acronyms and names ("Article 24.2", "115-FZ", "CBI", "Sakharovo"). Only such
exact tokens of the question are looked up, so ordinary words in a translated
guide cannot outvote the English-only guide that answers the question.

The user's country is a small bonus, never a filter; the passage quoted is the
user's language version of the section when it exists.

Fusion finds the right guide among the first five nearly always but first too
rarely; the first guides are then ordered again on guide-level signals
(``bot.retrieval.guides``), and each section's score is rescaled so that the
sections come in that order of guides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.index.embedders import Embedder, embed_query
from bot.index.lexical import tokenize
from bot.index.snapshot import DocInfo
from bot.index.view import IndexView
from bot.knowledge.models import Passage
from bot.retrieval.guides import DEFAULT_WEIGHTS, GuideTable, Weights
from bot.retrieval.learned import SELECTIVE_SHARE, country_share, default_ranker, rank_guides

PIVOT_LANG = "en"
RRF_K = 60
LEXICAL_WEIGHT = 0.6
COUNTRY_BONUS = 0.004
CANDIDATES = 40

# Tokens worth an exact lookup: references such as "24.2", "115-FZ" or "647",
# acronyms ("CBI", "NOC") and names written with a capital inside a sentence.
# A lone small number ("1 year") is too common to say anything.
_EXACT = re.compile(
    r"\b\d+(?:[.\-/]\d+)+\b|\b\d+-?[A-Za-zА-Яа-я]{1,3}\b|\b\d{3,}\b"
    r"|\b[A-Z]{2,}\b|(?<=\w )[A-Z][a-z]{3,}"
)

Section = tuple[str, int]  # (doc_id, position): the same section in every language


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
    guides: GuideTable | None = None  # the guide-level signals the first guides were ordered on

    def documents(self) -> list[str]:
        """Document ids in rank order, each once (translations share an id)."""
        return list(dict.fromkeys(h.passage.doc_id for h in self.hits))


def exact_terms(question: str) -> list[str]:
    return [t for m in _EXACT.findall(question) for t in tokenize(m)]


def retrieve(
    view: IndexView,
    embedder: Embedder,
    question: str,
    *,
    lang: str | None = None,
    country: str | None = None,
    k: int = 20,
    lexical: bool = True,
    vector: list[float] | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Retrieval:
    """Rank sections for a question; ``vector`` is its embedding if already computed.

    ``weights`` are those of the guide-level signals (the evaluation turns them off
    one at a time).
    """
    if vector is None:
        vector = embed_query(embedder, question)
    languages = [PIVOT_LANG] + ([lang] if lang and lang != PIVOT_LANG else [])
    scores: dict[Section, float] = {}
    similarity: dict[Section, float] = {}
    dense: dict[str, list[tuple[int, float]]] = {}
    for language in languages:
        stretch = _stretch(view, language)
        seen: set[Section] = set()
        found = dense.setdefault(language, [])
        for pid, sim in view.store.query(vector, CANDIDATES, lang=language):
            idx = view.by_id.get(pid)
            if idx is None:  # a vector without its passage: never serve it
                continue
            found.append((idx, sim))
            key = _section(view.passages[idx])
            if key in seen:
                continue
            seen.add(key)
            score = 1.0 / (RRF_K + 1 + (len(seen) - 1) * stretch)
            scores[key] = max(scores.get(key, 0.0), score)
            similarity[key] = max(similarity.get(key, 0.0), sim)

    terms = exact_terms(question) if lexical else []
    if terms:
        seen = set()
        for idx, _score in view.lexical.search_tokens(terms, CANDIDATES):
            key = _section(view.passages[idx])
            if key in seen:
                continue
            seen.add(key)
            scores[key] = scores.get(key, 0.0) + LEXICAL_WEIGHT / (RRF_K + len(seen))

    # A country says something only where few documents are about it: nearly every
    # guide applies in Russia, but one is about Nepal.
    prefer_country = country is not None and country_share(view, country) <= SELECTIVE_SHARE
    hits: list[Hit] = []
    for key in scores:
        passage = _localized(view, key, lang)
        if passage is None:
            continue
        if prefer_country and country in view.doc(passage).countries:
            scores[key] += COUNTRY_BONUS
        hits.append(Hit(passage, view.doc(passage), scores[key], similarity.get(key)))
    order, table = rank_guides(view, vector, lang, dense, _guides(hits), country=country,
                               weights=weights,
                               ranker=default_ranker() if weights.learned else None)
    hits = _in_guide_order(hits, order)
    return Retrieval(hits=hits[:k], top_similarity=max(similarity.values(), default=0.0),
                     guides=table)


def _guides(hits: list[Hit]) -> list[str]:
    """Guides by their best section's score, best first."""
    ordered = sorted(hits, key=lambda h: (-h.score, h.passage.id))
    return list(dict.fromkeys(h.passage.doc_id for h in ordered))


def _in_guide_order(hits: list[Hit], guides: list[str]) -> list[Hit]:
    """Sections sorted so that their guides come in ``guides``' order.

    The guide now at rank r takes the best score of the guide that was at rank r,
    and its other sections are scaled with it: scores keep their range and their
    ratios within a guide, which the composer reads.
    """
    best: dict[str, float] = {}
    for h in hits:
        best[h.passage.doc_id] = max(best.get(h.passage.doc_id, 0.0), h.score)
    slots = sorted(best.values(), reverse=True)
    rank = {doc: r for r, doc in enumerate(guides)}
    out = []
    for h in hits:
        doc = h.passage.doc_id
        r = rank[doc]
        factor = slots[r] / best[doc] if best[doc] > 0 else 1.0
        out.append(replace(h, score=h.score * factor))
    out.sort(key=lambda h: (-h.score, rank[h.passage.doc_id], h.passage.id))
    return out


def _stretch(view: IndexView, language: str) -> float:
    """How many pivot-language passages there are for each one in ``language`` (>= 1)."""
    if language == PIVOT_LANG:
        return 1.0
    own = view.passages_by_lang[language]
    pivot = view.passages_by_lang[PIVOT_LANG]
    return max(1.0, pivot / own) if own else 1.0


def _section(passage: Passage) -> Section:
    return (passage.doc_id, passage.position)


def _localized(view: IndexView, key: Section, lang: str | None) -> Passage | None:
    """The section in the user's language, else the pivot language, else any."""
    doc_id, position = key
    for language in (lang, PIVOT_LANG):
        if language:
            idx = view.by_position.get((doc_id, language, position))
            if idx is not None:
                return view.passages[idx]
    for (d, _l, p), idx in view.by_position.items():
        if d == doc_id and p == position:
            return view.passages[idx]
    return None
