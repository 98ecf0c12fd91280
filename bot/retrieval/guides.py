"""Guide-level re-ranking: which guide answers the question, not which sentence is closest.

Fused section ranks find the right guide among the first five nearly always, but
put it first far less often: one passage that happens to share words with the
question beats a guide whose several sections, headings and topics are about
the question. The first guides of the fused ranking are ordered again by a sum
of signals, each measured on the whole guide:

- ``passages``: the similarity of the guide's best and second-best passage,
  among the pivot-language passages and among the question's language (two
  sections that match beat a lone sentence);
- ``headings``: the question against the guide's section headings (off by
  default: on the project's question set it lowered recall@5, see the ablation
  in ``bot eval --ablation``);
- ``card``: the question against the guide's title and list of headings;
- ``topics``: the question against the editors' ``topics:`` words;
- ``questions``: the question against the editors' example questions
  (``questions:``), question to question: the mean over the guide's questions
  (it beat the best one, and the mean of the best two, on held-out halves of
  the question sets). A guide without any takes ``MISSING``; a folder without
  any ranks as before.

Each signal is first taken relative to the best guide's value for that signal
(``value - max``), so signals with different ranges of cosine add up fairly, and
a guide without a version in the question's language takes its pivot-language
figure instead of counting as a miss: the question's language does not decide
which guide answers it. The vectors come from ``bot.index.signals``; without
them the fused order stands.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.index.view import IndexView

PIVOT_LANG = "en"
DEPTH = 12  # how many of the fused ranking's first guides are ordered again
MISSING = -0.1  # a signal a guide does not have, relative to the best guide's


@dataclass(frozen=True)
class Weights:
    """How much each signal counts; 0 turns one off (the evaluation's ablation)."""

    passages: float = 1.0
    second_passage: float = 1.0
    headings: float = 0.0
    card: float = 0.5
    topics: float = 1.0
    questions: float = 1.0
    learned: float = 1.0  # the learned order of the first guides (bot.retrieval.learned)

    def with_weight(self, name: str, value: float) -> Weights:
        return Weights(**{**self.__dict__, name: value})

    @property
    def active(self) -> bool:
        return any(v for v in self.__dict__.values())


DEFAULT_WEIGHTS = Weights()
NO_RERANK = Weights(**{name: 0.0 for name in Weights.__dataclass_fields__})

# One language's dense list: (passage index, cosine similarity), best first.
DenseList = Sequence[tuple[int, float]]


@dataclass(frozen=True)
class GuideTable:
    """What the re-ranking sees of the fused ranking's first guides."""

    guides: list[str]  # the first ``DEPTH`` guides of the fused ranking, in its order
    signals: dict[str, np.ndarray]  # each signal relative to the best guide's (NaN: missing)
    hand: np.ndarray  # the hand-set fusion's score of each guide

    def hand_order(self) -> list[int]:
        return sorted(range(len(self.guides)), key=lambda i: (-self.hand[i], i))


def guide_table(
    view: IndexView,
    vector: Sequence[float],
    lang: str | None,
    dense: Mapping[str, DenseList],
    fused: Sequence[str],
    weights: Weights = DEFAULT_WEIGHTS,
) -> GuideTable | None:
    """The guide-level signals of ``fused``'s first guides, or None when there is
    nothing to order again."""
    top = list(fused[:DEPTH])
    if len(top) < 2 or not weights.active or PIVOT_LANG not in dense:
        return None
    own = lang if lang and lang != PIVOT_LANG and dense.get(lang) else PIVOT_LANG
    roles = {"pivot": PIVOT_LANG, "own": own}
    q = np.asarray(vector, dtype=np.float32)
    features: dict[str, np.ndarray] = {}
    for role, language in roles.items():
        first, second = _best_two(view, dense[language], top)
        features[f"passages_{role}"] = first
        features[f"second_passage_{role}"] = second
    signals = view.signals
    if signals is not None and weights.headings:
        heads = signals.headings @ q
        best_heading: dict[tuple[str, str], float] = {}
        for i, p in enumerate(view.passages):
            doc_lang = (p.doc_id, p.lang)
            best_heading[doc_lang] = max(best_heading.get(doc_lang, -1.0), float(heads[i]))
        for role, language in roles.items():
            features[f"headings_{role}"] = np.array(
                [best_heading.get((d, language), np.nan) for d in top])
    if signals is not None and weights.card:
        cards = signals.cards @ q
        for role, language in roles.items():
            features[f"card_{role}"] = np.array(
                [_row(cards, signals.rows.get((d, language))) for d in top])
    if signals is not None and weights.topics:
        topics = signals.topics @ q
        features["topics"] = np.array(
            [_row(topics, _doc_row(signals.rows, d, view)) for d in top])
    if signals is not None and weights.questions:
        asked = signals.question_match(q)
        if asked:
            features["questions"] = np.array([asked.get(d, np.nan) for d in top])
    relative = {k: v - np.nanmax(v) if np.isfinite(v).any() else np.zeros_like(v)
                for k, v in features.items()}
    for key in [k for k in relative if k.endswith("_own")]:
        pivot = relative[key.removesuffix("_own") + "_pivot"]
        relative[key] = np.where(np.isnan(relative[key]), pivot, relative[key])
    score = np.zeros(len(top))
    for key, values in relative.items():
        name = key.removesuffix("_own").removesuffix("_pivot")
        score += getattr(weights, name) * np.nan_to_num(values, nan=MISSING)
    return GuideTable(guides=top, signals=relative, hand=score)


def _best_two(view: IndexView, ranked: DenseList, docs: list[str]) -> tuple[np.ndarray, ...]:
    """Each guide's best and second-best similarity in one dense list.

    A guide absent from the list gets the list's last similarity: it is at most that.
    """
    floor = ranked[-1][1] if ranked else 0.0
    found: dict[str, list[float]] = defaultdict(list)
    for idx, sim in ranked:
        found[view.passages[idx].doc_id].append(sim)
    first = np.array([found[d][0] if found[d] else floor for d in docs])
    second = np.array([found[d][1] if len(found[d]) > 1 else floor for d in docs])
    return first, second


def _row(values: np.ndarray, row: int | None) -> float:
    return float(values[row]) if row is not None else float("nan")


def _doc_row(rows: Mapping[tuple[str, str], int], doc_id: str, view: IndexView) -> int | None:
    """The row of the guide's pivot version (its topics), else of any version."""
    row = rows.get((doc_id, PIVOT_LANG))
    if row is not None:
        return row
    return next((r for (d, _lang), r in rows.items() if d == doc_id), None)
