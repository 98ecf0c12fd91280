"""Thresholds chosen on held-out folds, and the figures that show how well they hold.

Examples are held out two ways: one language at a time (how the classifier does
in a language it has no examples of, or a mix it never saw), and in random
folds (a new message in a known language). Every held-out example is scored by
votes trained without it.

The rule has two urgent thresholds, one for messages that hold a cue that it
is over, a question about what could happen, or someone else's ("last week",
"what if", "my brother": ``features.COUNTER``) and one for those that hold
none. Each is the lowest urgency score of any held-out urgent example of its
kind, over both ways, so recall of urgent on held-out folds is 1.0 by
construction and precision is what is left. Missing a person in danger costs
more than a false alarm; the false alarms are reported, not hidden. Splitting
the rule in two keeps one odd example from lowering the bar for every message:
"my brother called from the police station, they are holding him" is urgent
but scores low, as its cue of someone else counts against urgency; it sets only
the bar of messages that hold such a cue too, not the bar of "tell me a joke".
Below them, the sensitive threshold is the concern score with the best F1 for
sensitive.

Measured with ``bench/triage.py`` (December 2026, 1,733 examples; urgent
precision / recall on tests/eval/questions.yaml, the answers' level): the bars
split by a cue of immediacy instead gave 0.556 / 0.969, split by a cue against
urgency 0.600 / 0.949; held out, 0.854 / 0.816 and 0.869 / 0.833 precision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

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
    urgent: float  # for a message without a cue against urgency (over, general, other)
    urgent_countered: float  # for a message with one
    sensitive: float
    hardest: int  # the urgent example whose held-out score set ``urgent``
    hardest_countered: int  # the one that set ``urgent_countered``
    # The median held-out score of the urgent examples: a message at least this urgent is
    # as plainly urgent as a typical one, whatever its cue words (the refusal check yields
    # to it; a cue word alone never gets a message there).
    plain: float = float("inf")

    def urgent_for(self, countered: np.ndarray) -> np.ndarray:
        return np.where(countered, self.urgent_countered, self.urgent)


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


def _lowest(heldouts: Sequence[Heldout], mask: np.ndarray) -> tuple[float, int]:
    """The lowest held-out urgency score of the examples in ``mask``, and which one."""
    where = np.flatnonzero(mask)
    return min((float(h.urgency[where].min()), int(where[h.urgency[where].argmin()]))
               for h in heldouts)


def choose_thresholds(
    heldouts: Sequence[Heldout], levels: np.ndarray, countered: np.ndarray | None = None
) -> Thresholds:
    """``countered`` (n,): the example holds a cue against urgency (None: nobody does)."""
    urgent = levels == URGENT
    now = np.zeros(len(levels), dtype=bool) if countered is None else countered.astype(bool)
    t_any = _lowest(heldouts, urgent)
    # A kind with no urgent example at all takes the one threshold of every example.
    t_now = _lowest(heldouts, urgent & now) if (urgent & now).any() else t_any
    t_none = _lowest(heldouts, urgent & ~now) if (urgent & ~now).any() else t_any
    plain = float(np.median(np.concatenate([h.urgency[urgent] for h in heldouts])))
    thresholds = Thresholds(t_none[0], t_now[0], 0.0, t_none[1], t_now[1], plain)
    bar = thresholds.urgent_for(now)
    below = np.concatenate([h.urgency < bar for h in heldouts])
    concern = np.concatenate([h.concern for h in heldouts])[below]
    truth = np.concatenate([levels for _ in heldouts])[below] == SENSITIVE
    return replace(thresholds, sensitive=_best_f1(concern, truth))


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


def decide(urgency: np.ndarray, concern: np.ndarray, thresholds: Thresholds,
           countered: np.ndarray | None = None) -> np.ndarray:
    now = np.zeros(len(urgency), dtype=bool) if countered is None else countered.astype(bool)
    return np.where(urgency >= thresholds.urgent_for(now), URGENT,
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
    heldouts: Sequence[Heldout], levels: np.ndarray, langs: Sequence[str],
    countered: np.ndarray | None = None,
) -> dict[str, tuple[float, float | None]]:
    """Per language: urgent (recall, precision) in that language, with the urgent
    thresholds set on the other languages' held-out urgent examples only.

    The rule above fixes the thresholds on every held-out example, so its recall
    is 1.0 by construction; this asks whether they hold for a language they were
    not set on, as they must for a language nobody has written examples in.
    """
    codes = np.asarray(langs)
    now = np.zeros(len(levels), dtype=bool) if countered is None else countered.astype(bool)
    by_language = next(h for h in heldouts if h.scheme == "language")
    urgent = levels == URGENT
    out: dict[str, tuple[float, float | None]] = {}
    for lang in sorted(set(langs)):
        here = codes == lang
        others = ~here
        if not (urgent & here).any() or not (urgent & others).any():
            continue
        t = choose_thresholds(
            [Heldout(h.scheme, h.urgency[others], h.concern[others]) for h in heldouts],
            levels[others], now[others])
        flagged = here & (by_language.urgency >= t.urgent_for(now))
        tp = int((flagged & urgent).sum())
        out[lang] = (tp / int((urgent & here).sum()),
                     tp / int(flagged.sum()) if flagged.any() else None)
    return out
