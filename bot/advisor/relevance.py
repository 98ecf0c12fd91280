"""Whether the guidance found answers the question (issue 15).

Two checks:

- **below the floor**: nothing found reaches the language's relevance floor
  (the best similarity of the ranking). Judging the floor on the first guide's
  passages alone, the ones quoted, was measured on the project's question set
  and not kept: it refused 6 more answerable questions (the right guide first,
  only less close than a section of another) and only 2 more out-of-scope
  ones, which the refusal check already stops;
- **only a draft**: an unpublished draft (with no published version) is
  clearly closer to the question than the passages that would be quoted. The
  topic is one the editors have not vetted yet, and the nearest published
  guides are about something else: quoting them would answer another question.

Either way the advisor answers ``no_answer`` with the general contacts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.index.view import IndexView
from bot.retrieval.retriever import Retrieval

# How much closer a draft must be than the quoted passage: E5 cosines sit in a
# narrow band, and a draft only a little closer may be a near-duplicate of a
# published guide's section.
DRAFT_MARGIN = 0.02


@dataclass(frozen=True)
class Relevance:
    answer: bool
    quoted: float  # the similarity of the passages that would be quoted first
    draft: float | None  # the closest unpublished draft's similarity, if any
    reason: str | None = None  # why not: "below_floor" or "only_a_draft"


def judge_relevance(
    view: IndexView, vector: Sequence[float], found: Retrieval, floor: float
) -> Relevance:
    quoted = quoted_similarity(found)
    draft = _closest_draft(view, vector)
    if not found.hits or found.top_similarity < floor:
        return Relevance(False, quoted, draft, "below_floor")
    if draft is not None and draft >= floor and draft > quoted + DRAFT_MARGIN:
        return Relevance(False, quoted, draft, "only_a_draft")
    return Relevance(True, quoted, draft)


def quoted_similarity(found: Retrieval) -> float:
    """The best similarity among the first guide's sections (what is quoted first).

    A first guide found by exact words alone has no similarity of its own: the
    best similarity of the ranking stands for it.
    """
    if not found.hits:
        return 0.0
    first = found.hits[0].passage.doc_id
    sims = [h.similarity for h in found.hits
            if h.passage.doc_id == first and h.similarity is not None]
    return max(sims) if sims else found.top_similarity


def _closest_draft(view: IndexView, vector: Sequence[float]) -> float | None:
    signals = view.signals
    if signals is None or not len(signals.draft_docs):
        return None
    return float(np.max(signals.drafts @ np.asarray(vector, dtype=np.float32)))
