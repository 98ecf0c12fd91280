"""``bot eval``: retrieval and answer metrics over a question set."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.config import Settings

DEFAULT_QUESTIONS = Path("tests/eval/questions.yaml")
COLUMNS = (
    "questions",
    "recall@1",
    "recall@5",
    "mrr",
    "no_answer_accuracy",
    "out_of_scope",
    "cross_lingual_recall@5",
    "urgent_recall",
    "urgent_precision",
)
SHORT = {
    "questions": "n",
    "recall@1": "R@1",
    "recall@5": "R@5",
    "mrr": "MRR",
    "no_answer_accuracy": "no-ans acc",
    "out_of_scope": "oos",
    "cross_lingual_recall@5": "xling R@5",
    "urgent_recall": "urg rec",
    "urgent_precision": "urg prec",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="measure retrieval and answers on a question set",
        description="Run a question set (YAML, see DESIGN.md) against the index and print "
        "recall@1, recall@5, MRR and no-answer accuracy, overall and per language.",
    )
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="question set file")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument(
        "--calibrate", action="store_true", help="also report the best relevance threshold"
    )
    p.add_argument("--misses", action="store_true", help="list questions whose document was missed")
    p.add_argument(
        "--ablation", action="store_true",
        help="only retrieval, with each guide-level ranking signal turned off in turn",
    )
    p.set_defaults(func=run)


def _width(col: str) -> int:
    # Wide enough for the heading and for "0.123" or a count, with two spaces before it.
    return max(len(SHORT[col]), 5) + 2


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _row(name: str, values: dict) -> str:
    cells = [name.ljust(6)]
    for col in COLUMNS:
        cells.append(_cell(values.get(col)).rjust(_width(col)))
    return "".join(cells)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.advisor.runtime import build_runtime, min_relevance
    from bot.evaluation import triage_report
    from bot.evaluation.metrics import calibrate, score
    from bot.evaluation.questions import load_questions
    from bot.evaluation.runner import run_questions

    questions = load_questions(args.questions)
    if args.ablation:
        return _ablation(args, settings, questions)
    runtime = build_runtime(settings)
    try:
        triage = runtime.triage
        assert triage is not None  # a runtime always has one (build_triage fails loudly)
        outcomes = run_questions(runtime, questions, progress=not args.json)
    finally:
        runtime.close()
    triage_alone = triage_report.question_figures(outcomes, "classifier")
    triage_figures = triage_report.question_figures(outcomes)
    overall, by_lang = score(outcomes)
    result: dict = {
        "questions_file": str(args.questions),
        "embedder": settings.embedder,
        "min_relevance": min_relevance(settings),
        "overall": overall.as_dict(),
        "languages": {lang: s.as_dict() for lang, s in by_lang.items()},
        "triage": triage_report.as_json(triage.report, triage_figures, triage_alone),
    }
    if args.calibrate:
        threshold, accuracy = calibrate(outcomes)
        result["calibration"] = {"threshold": threshold, "accuracy": accuracy}
        result["calibration_by_language"] = {
            lang: dict(zip(("threshold", "accuracy"), calibrate(
                [o for o in outcomes if (o.question.lang or "?") == lang]
            ), strict=True))
            for lang in by_lang
        }
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"{len(questions)} questions from {args.questions}, embedder {settings.embedder}, "
          f"relevance floor {result['min_relevance']}")
    print("".join(["lang".ljust(6)] + [SHORT[c].rjust(_width(c)) for c in COLUMNS]))
    for lang, s in by_lang.items():
        print(_row(lang, s.as_dict()))
    print(_row("all", overall.as_dict()))
    print()
    print("\n".join(triage_report.cross_validation_lines(triage.report)))
    print("\n".join(triage_report.question_lines(
        triage_alone, f"triage on {args.questions}, the classifier alone")))
    print("\n".join(triage_report.question_lines(
        triage_figures, "the answers' levels (a refused request is routine)")))
    if args.calibrate:
        print(f"best relevance floor overall: {result['calibration']}")
        for lang, c in result["calibration_by_language"].items():
            print(f"  {lang}: {c}")
    if args.misses:
        for o in overall.misses:
            q = o.question
            print(f"MISS line {q.line} [{q.lang}] {q.question!r} expected {list(q.expect_docs)} "
                  f"got {o.ranked_docs[:5]} sim={o.top_similarity:.3f}")
        for o in outcomes:
            wanted = triage_report.missed(o)
            if wanted:
                q = o.question
                print(f"TRIAGE line {q.line} [{q.lang}] {q.question!r} expected {wanted} "
                      f"got {o.triage} urgency={o.urgency} cues={list(o.cues)}")
            if o.status != o.question.expect_status:
                q = o.question
                print(f"STATUS line {q.line} [{q.lang}] {q.question!r} expected "
                      f"{q.expect_status} got {o.status} sim={o.top_similarity:.3f}")
    return 0


def _ablation(args: argparse.Namespace, settings: Settings, questions: list) -> int:
    from bot.advisor.runtime import build_runtime
    from bot.evaluation.ablation import COLUMNS as ABLATION_COLUMNS
    from bot.evaluation.ablation import ablate

    runtime = build_runtime(settings)
    try:
        rows = ablate(runtime, questions)
    finally:
        runtime.close()
    if args.json:
        json.dump(dict(rows), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"ranking signals on {args.questions} (answerable questions, retrieval only)")
    print("variant".ljust(20) + "".join(SHORT.get(c, c).rjust(11) for c in ABLATION_COLUMNS))
    for name, figures in rows:
        print(name.ljust(20) + "".join(_cell(figures[c]).rjust(11) for c in ABLATION_COLUMNS))
    return 0
