"""A learned order of the hand fusion's first guides (issue 15).

The hand-set fusion of ``bot.retrieval.guides`` finds the right guide among its
first five nearly always; which of the five comes first is what an SMS reader
sees. A linear score, learned from the project's question set, orders those
five again; the rest keep the hand fusion's order, so the first five stay the
same guides (recall@5 cannot fall) and only their order changes.

Its features are the hand fusion's signals (each relative to the best guide's)
and three about the user's country, all available for any knowledge folder:

- ``country_match``: the guide names the user's country, and that country is
  selective (named by at most a quarter of the guides: nearly every guide applies
  in Russia, one is about Nepal);
- ``country_other``: the user gave a country and the guide is about another
  selective one;
- ``country_specific``: the guide names a selective country at all.

The coefficients are data, ``prompts/ranking.yaml``, written by
``python -m bench.rank_learned --write`` (a conditional logit over each
question's candidates, cross-validated there against the hand fusion). Without
the file the hand fusion's order stands.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from bot.config import PROMPTS_DIR
from bot.index.view import IndexView
from bot.retrieval.guides import (
    DEFAULT_WEIGHTS,
    DEPTH,
    MISSING,
    PIVOT_LANG,
    DenseList,
    GuideTable,
    Weights,
    guide_table,
)

log = logging.getLogger(__name__)

RANKING_FILE = "ranking.yaml"
SELECTIVE_SHARE = 0.25  # a country named by more guides than this is no preference
SIGNALS = ("passages_pivot", "passages_own", "second_passage_pivot", "second_passage_own",
           "card_pivot", "card_own", "topics", "questions")
COUNTRY = ("country_match", "country_other", "country_specific")
FEATURES = SIGNALS + COUNTRY


@dataclass(frozen=True)
class LearnedRanker:
    coefficients: Mapping[str, float]  # feature name -> weight; a missing one counts 0
    depth: int  # how many of the hand fusion's first guides it orders

    def scores(self, features: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        score = np.zeros(n)
        for name, weight in self.coefficients.items():
            values = features.get(name)
            if values is not None:
                score += weight * np.nan_to_num(values, nan=MISSING)
        return score

    def reorder(self, hand_order: Sequence[int], score: np.ndarray) -> list[int]:
        """``hand_order`` with its first ``depth`` places sorted by ``score`` (ties keep
        the hand order)."""
        head = list(hand_order[: self.depth])
        place = {i: r for r, i in enumerate(head)}
        head.sort(key=lambda i: (-score[i], place[i]))
        return head + list(hand_order[self.depth:])


def load_ranker(path: Path) -> LearnedRanker | None:
    """The coefficients in ``path``; None when there is no such file. A mistake names
    the file and the field."""
    if not path.exists():
        log.info("no %s: the guides keep the hand-set fusion's order", path)
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: expected a mapping with `depth` and `coefficients`")
    depth = data.get("depth")
    if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= DEPTH:
        raise ValueError(f"{path}: `depth` must be a whole number from 1 to {DEPTH}")
    coefficients = data.get("coefficients")
    if not isinstance(coefficients, Mapping) or not coefficients:
        raise ValueError(f"{path}: `coefficients` must map feature names to numbers")
    for name, value in coefficients.items():
        if name not in FEATURES:
            raise ValueError(f"{path}: `coefficients.{name}` is not a feature "
                             f"({', '.join(FEATURES)})")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"{path}: `coefficients.{name}` must be a number")
    return LearnedRanker({k: float(v) for k, v in coefficients.items()}, depth)


@lru_cache(maxsize=1)
def default_ranker() -> LearnedRanker | None:
    return load_ranker(PROMPTS_DIR / RANKING_FILE)


def country_share(view: IndexView, country: str) -> float:
    """The share of guides that name ``country`` (translations count once)."""
    docs = _countries(view)
    if not docs:
        return 1.0
    return sum(country in c for c in docs.values()) / len(docs)


def country_features(view: IndexView, guides: Sequence[str],
                     country: str | None) -> dict[str, np.ndarray]:
    docs = _countries(view)
    named: dict[str, int] = {}
    for countries in docs.values():
        for c in countries:
            named[c] = named.get(c, 0) + 1
    selective = {c for c, n in named.items() if n <= SELECTIVE_SHARE * len(docs)}
    named_by = [docs.get(d, ()) for d in guides]
    specific = np.array([float(any(c in selective for c in cs)) for cs in named_by])
    match = np.array([float(country in selective and country in cs) if country else 0.0
                      for cs in named_by])
    other = specific * (1.0 - match) * float(country is not None)
    return {"country_match": match, "country_other": other, "country_specific": specific}


def features(table: GuideTable, view: IndexView, country: str | None,
             weights: Weights = DEFAULT_WEIGHTS) -> dict[str, np.ndarray]:
    """Every feature of the table's guides; a signal turned off (weight 0) is left out."""
    out = {k: v for k, v in table.signals.items()
           if getattr(weights, k.removesuffix("_own").removesuffix("_pivot"), 0.0)}
    out.update(country_features(view, table.guides, country))
    return out


def rank_guides(
    view: IndexView,
    vector: Sequence[float],
    lang: str | None,
    dense: Mapping[str, DenseList],
    fused: Sequence[str],
    *,
    country: str | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    ranker: LearnedRanker | None,
) -> tuple[list[str], GuideTable | None]:
    """The fused guides in their final order, and the table it was decided on.

    Without a ``ranker`` (or with ``weights.learned`` 0) the hand fusion's order stands.
    """
    table = guide_table(view, vector, lang, dense, fused, weights)
    if table is None:
        return list(fused), None
    order = table.hand_order()
    if ranker is not None and weights.learned:
        found = features(table, view, country, weights)
        order = ranker.reorder(order, ranker.scores(found, len(table.guides)))
    return [table.guides[i] for i in order] + list(fused[DEPTH:]), table


def _countries(view: IndexView) -> dict[str, tuple[str, ...]]:
    """Each guide's countries (its pivot-language version's, else any version's)."""
    out: dict[str, tuple[str, ...]] = {}
    for (doc_id, lang), doc in view.documents.items():
        if lang == PIVOT_LANG or doc_id not in out:
            out[doc_id] = doc.countries
    return out
