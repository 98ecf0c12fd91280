"""Thresholds chosen on held-out folds, and the figures that show how well they hold.

Examples are held out two ways: one language at a time (how the classifier does
in a language it has no examples of, or a mix it never saw), and in random
folds (a new message in a known language). Every held-out example is scored by
votes trained without it.

The rule: the urgent threshold is the lowest urgency score of any held-out
urgent example, over both ways, so recall of urgent on held-out folds is 1.0
by construction and precision is what is left. Missing a person in danger costs
more than a false alarm; the false alarms are reported, not hidden. Below it,
the sensitive threshold is the concern score with the best F1 for sensitive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.advisor.triage.votes import ROUTINE, SENSITIVE, URGENT, Scores

LEVEL_CODES = (URGENT, SENSITIVE, ROUTINE)


@dataclass(frozen=True)
class Heldout:
    """Scores of every example from votes trained without it, one way of holding out."""

    scheme: str  # "language" | "random"
    urgency: np.ndarray
    concern: np.ndarray


@dataclass(frozen=True)
class Thresholds:
    urgent: float
    sensitive: float
    hardest: int  # the urgent example whose held-out score set the urgent threshold


@dataclass(frozen=True)
class Figure:
    precision: float | None  # None when nothing was predicted at that level
    recall: float | None  # None when no example has that level
    support: int  # examples of that level


def language_folds(langs: Sequence[str]) -> list[np.ndarray]:
    codes = np.asarray(langs)
    return [codes == lang for lang in sorted(set(langs))]


def random_folds(n: int, k: int = 5, seed: int = 0) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    fold = np.empty(n, dtype=int)
    fold[order] = np.arange(n) % k
    return [fold == i for i in range(k)]


def held_out(
    scheme: str,
    folds: Sequence[np.ndarray],
    fit: Callable[[np.ndarray], Callable[[np.ndarray], Scores]],
) -> Heldout:
    """``fit(train_mask)`` returns a scorer of examples by index mask."""
    n = len(folds[0])
    urgency, concern = np.zeros(n), np.zeros(n)
    for test in folds:
        scores = fit(~test)(test)
        urgency[test], concern[test] = scores.urgency, scores.concern
    return Heldout(scheme, urgency, concern)


def choose_thresholds(heldouts: Sequence[Heldout], levels: np.ndarray) -> Thresholds:
    urgent = levels == URGENT
    worst = [(float(h.urgency[urgent].min()), int(np.flatnonzero(urgent)[h.urgency[urgent]
              .argmin()])) for h in heldouts]
    t_urgent, hardest = min(worst)
    below = np.concatenate([h.urgency < t_urgent for h in heldouts])
    concern = np.concatenate([h.concern for h in heldouts])[below]
    truth = np.concatenate([levels for _ in heldouts])[below] == SENSITIVE
    return Thresholds(t_urgent, _best_f1(concern, truth), hardest)


def _best_f1(score: np.ndarray, truth: np.ndarray) -> float:
    if not truth.any():
        return float("inf")
    best, best_f1 = float(score[truth].min()), -1.0
    for t in np.unique(score):
        predicted = score >= t
        tp = int((predicted & truth).sum())
        f1 = 2 * tp / (predicted.sum() + truth.sum())
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return best


def decide(urgency: np.ndarray, concern: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    return np.where(urgency >= thresholds.urgent, URGENT,
                    np.where(concern >= thresholds.sensitive, SENSITIVE, ROUTINE))


def figures(truth: np.ndarray, predicted: np.ndarray) -> dict[int, Figure]:
    """Precision, recall and support of each level."""
    out: dict[int, Figure] = {}
    for level in LEVEL_CODES:
        t, p = truth == level, predicted == level
        tp = int((t & p).sum())
        out[level] = Figure(
            precision=tp / int(p.sum()) if p.any() else None,
            recall=tp / int(t.sum()) if t.any() else None,
            support=int(t.sum()),
        )
    return out


def unseen_language_recall(
    heldouts: Sequence[Heldout], levels: np.ndarray, langs: Sequence[str]
) -> dict[str, tuple[float, float | None]]:
    """Per language: urgent (recall, precision) in that language, with the urgent
    threshold set on the other languages' held-out urgent examples only.

    The rule above fixes the threshold on every held-out example, so its recall
    is 1.0 by construction; this asks whether a threshold holds for a language
    it was not set on, as it must for a language nobody has written examples in.
    """
    codes = np.asarray(langs)
    by_language = next(h for h in heldouts if h.scheme == "language")
    urgent = levels == URGENT
    out: dict[str, tuple[float, float | None]] = {}
    for lang in sorted(set(langs)):
        here = codes == lang
        others = urgent & ~here
        if not (urgent & here).any() or not others.any():
            continue
        t = min(float(h.urgency[others].min()) for h in heldouts)
        flagged = here & (by_language.urgency >= t)
        tp = int((flagged & urgent).sum())
        out[lang] = (tp / int((urgent & here).sum()),
                     tp / int(flagged.sum()) if flagged.any() else None)
    return out
