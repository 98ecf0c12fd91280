"""Triage figures for ``bot eval``: cross-validated on the examples, and on a question set.

Precision and recall per level and language. On the examples they come from
held-out folds (``bot/advisor/triage/folds.py``). On a question set, urgent is
judged on every question that says whether it is urgent (``expect_triage`` or
``expect_urgent``), sensitive and routine only on those with ``expect_triage``;
the level is the answer's (a refused request is routine, as the advisor
refuses it first), and beside it the classifier's alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, replace
from typing import Literal

from bot.advisor.triage import LEVELS, CrossValidation
from bot.advisor.triage.folds import Figure
from bot.evaluation.metrics import Outcome

SCHEMES = {"language": "each language held out", "random": "random fifths held out"}


def question_figures(
    outcomes: Iterable[Outcome], which: Literal["answer", "classifier"] = "answer"
) -> dict[str, dict[str, Figure]]:
    """"all" and each language -> level -> figure, over the labelled questions: the
    answer's level, or the classifier's alone."""
    if which == "classifier":
        outcomes = [replace(o, triage=o.triage_alone) for o in outcomes]
    groups: dict[str, list[Outcome]] = {"all": []}
    for o in outcomes:
        if o.triage is None or o.question.expect_urgent is None:
            continue
        groups["all"].append(o)
        groups.setdefault(o.question.lang or "?", []).append(o)
    return {name: _figures(items) for name, items in sorted(groups.items()) if items}


def _figures(items: list[Outcome]) -> dict[str, Figure]:
    out: dict[str, Figure] = {}
    for level in LEVELS:
        if level == "urgent":
            pairs = [(bool(o.question.expect_urgent), o.triage == level) for o in items]
        else:
            pairs = [(o.question.expect_triage == level, o.triage == level)
                     for o in items if o.question.expect_triage is not None]
        tp = sum(t and p for t, p in pairs)
        flagged, real = sum(p for _, p in pairs), sum(t for t, _ in pairs)
        out[level] = Figure(tp / flagged if flagged else None, tp / real if real else None, real)
    return out


def missed(o: Outcome) -> str | None:
    """The level the question expected, when the classifier gave another one."""
    q = o.question
    if o.triage is None or q.expect_urgent is None:
        return None
    if q.expect_triage is not None:
        return q.expect_triage if o.triage != q.expect_triage else None
    if (o.triage == "urgent") == q.expect_urgent:
        return None
    return "urgent" if q.expect_urgent else "not urgent"


def _cell(f: Figure) -> str:
    def num(x: float | None) -> str:
        return "-" if x is None else f"{x:.2f}"
    return f"{num(f.precision):>5} {num(f.recall):>5} {f.support:>4}"


def _table(title: str, rows: dict[str, dict[str, Figure]]) -> list[str]:
    head = "".join(f"{lv + ' P / R / n':>21}" for lv in LEVELS)
    lines = [title, f"  {'':6}{head}"]
    for name, figs in rows.items():
        lines.append(f"  {name:6}" + "".join(f"{_cell(figs[lv]):>21}" for lv in LEVELS))
    return lines


def cross_validation_lines(cv: CrossValidation) -> list[str]:
    t = cv.thresholds
    bars = f"urgent when urgency >= {t.urgent:.3f}"
    if f"{t.urgent_countered:.3f}" != f"{t.urgent:.3f}":
        bars += (f", or >= {t.urgent_countered:.3f} with a cue that it is over, general or "
                 "someone else's")
    hardest = f"{cv.hardest.path}:{cv.hardest.line} {cv.hardest.text!r}"
    countered = (f"{cv.hardest_countered.path}:{cv.hardest_countered.line} "
                 f"{cv.hardest_countered.text!r}")
    lines = [
        f"triage: {cv.examples} examples in {len(cv.languages)} languages (prompts/triage); "
        f"{bars}; else sensitive when concern >= {t.sensitive:.3f}; "
        f"plainly urgent (a refusal yields) from {t.plain:.3f}",
        "  the urgent example that sets it: " + hardest if countered == hardest
        else f"  the urgent examples that set them: {hardest}; {countered}",
    ]
    for s in cv.schemes:
        lines += _table(f"cross-validated, {SCHEMES.get(s.scheme, s.scheme)}:",
                        {"all": s.overall, **s.languages})
    if cv.unseen:
        lines.append("urgent recall / precision in a language, threshold set on the others:")
        lines.append("  " + "  ".join(
            f"{lang} {r:.2f}/{'-' if p is None else f'{p:.2f}'}"
            for lang, (r, p) in cv.unseen.items()))
    return lines


def question_lines(figs: dict[str, dict[str, Figure]], title: str) -> list[str]:
    if not figs:
        return [f"{title}: no question carries expect_triage or expect_urgent"]
    return _table(f"{title} (urgent: every labelled question; sensitive, routine: those "
                  "with expect_triage):", figs)


def as_json(
    cv: CrossValidation,
    figs: dict[str, dict[str, Figure]],
    alone: dict[str, dict[str, Figure]],
) -> dict:
    return {
        "examples": cv.examples,
        "thresholds": {"urgent": cv.thresholds.urgent,
                       "urgent_countered": cv.thresholds.urgent_countered,
                       "sensitive": cv.thresholds.sensitive, "plain": cv.thresholds.plain},
        "hardest_urgent_examples": {
            name: {"path": e.path, "line": e.line, "text": e.text}
            for name, e in (("countered", cv.hardest_countered), ("not_countered", cv.hardest))
        },
        "cross_validated": {
            s.scheme: {
                "all": {lv: asdict(f) for lv, f in s.overall.items()},
                "languages": {lang: {lv: asdict(f) for lv, f in by.items()}
                              for lang, by in s.languages.items()},
            }
            for s in cv.schemes
        },
        "unseen_language_urgent": {lang: {"recall": r, "precision": p}
                                   for lang, (r, p) in cv.unseen.items()},
        "questions": {name: {lv: asdict(f) for lv, f in by.items()}
                      for name, by in figs.items()},
        "questions_classifier_alone": {name: {lv: asdict(f) for lv, f in by.items()}
                                       for name, by in alone.items()},
    }
