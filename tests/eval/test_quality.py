"""The regression guard for retrieval and answer quality on the whole evaluation set.

Targets of the core issue: recall@5 >= 0.90, MRR >= 0.75, no-answer accuracy
>= 0.90, over tests/eval/questions.yaml with the shipped knowledge; of the
starter-knowledge issue: recall@5 >= 0.85 for the French questions; and of the
safety-and-language issue: urgent recall >= 0.95 with precision >= 0.85, and
recall@5 >= 0.85 for questions whose guide is not in their language. It runs in
`make test` (about 20 seconds once the shared index is built), so CI guards it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.advisor.runtime import Runtime
from bot.evaluation.metrics import Outcome, score
from bot.evaluation.questions import load_questions
from bot.evaluation.runner import run_questions

QUESTIONS = Path(__file__).parent / "questions.yaml"

@pytest.fixture(scope="module")
def outcomes(starter_runtime: Runtime) -> list[Outcome]:
    return run_questions(starter_runtime, load_questions(QUESTIONS), progress=False)


def describe(misses: list[Outcome]) -> str:
    return "\n".join(
        f"line {o.question.line} [{o.question.lang}] {o.question.question!r}: expected "
        f"{list(o.question.expect_docs)}, got {o.ranked_docs[:5]}"
        for o in misses
    )


def test_every_question_was_run(outcomes: list[Outcome]):
    assert len(outcomes) == len(load_questions(QUESTIONS)) > 100


def test_recall_at_5(outcomes: list[Outcome]):
    overall, _ = score(outcomes)
    recall = overall.as_dict()["recall@5"]
    assert recall is not None and recall >= 0.90, describe(overall.misses)


def test_mrr(outcomes: list[Outcome]):
    mrr = score(outcomes)[0].as_dict()["mrr"]
    assert mrr is not None and mrr >= 0.75


def test_no_answer_accuracy(outcomes: list[Outcome]):
    accuracy = score(outcomes)[0].as_dict()["no_answer_accuracy"]
    wrong = [
        f"line {o.question.line} [{o.question.lang}] {o.question.question!r}: expected "
        f"{o.question.expect_status}, got {o.status} (similarity {o.top_similarity:.3f})"
        for o in outcomes
        if o.status != o.question.expect_status
    ]
    assert accuracy is not None and accuracy >= 0.90, "\n".join(wrong)


def test_french_recall_at_5(outcomes: list[Outcome]):
    french = score(outcomes)[1]["fr"]
    recall = french.as_dict()["recall@5"]
    assert recall is not None and recall >= 0.85, describe(french.misses)


def _urgent(outcomes: list[Outcome]) -> tuple[float | None, float | None, str]:
    scores = score(outcomes)[0].as_dict()
    wrong = [
        f"line {o.question.line} [{o.question.lang}] {o.question.question!r}: expected "
        f"urgent={o.question.expect_urgent}, got {o.triage} (classifier {o.triage_alone}, "
        f"urgency {o.urgency}, cues {list(o.cues)})"
        for o in outcomes
        if o.question.expect_urgent is not None and o.urgent != o.question.expect_urgent
    ]
    return scores["urgent_recall"], scores["urgent_precision"], "\n".join(wrong)


def test_urgent_recall_and_precision_do_not_fall(outcomes: list[Outcome]):
    """The floor under today's triage (December 2026, issue 14: recall 0.949, precision
    0.592 on this set, bench/triage.py; before the second round 0.939 and 0.609, before the
    first 0.939 and 0.59): a change that misses more urgent messages, or raises more false
    alarms, fails. (0.600 -> 0.592 on purpose: a refusal now yields to a sensitive or
    urgent message that states a situation, so a parent abroad whose son is being made to
    sign is answered, and flagged, instead of refused.)"""
    recall, precision, wrong = _urgent(outcomes)
    assert recall is not None and recall >= 0.93, wrong
    assert precision is not None and precision >= 0.59, wrong


@pytest.mark.xfail(strict=True, reason="issue 14 is open: the answers reach urgent "
                   "recall 0.949 and precision 0.60 here, short of 0.95 / 0.85")
def test_urgent_recall_and_precision_reach_the_target(outcomes: list[Outcome]):
    recall, precision, wrong = _urgent(outcomes)
    assert recall is not None and recall >= 0.95, wrong
    assert precision is not None and precision >= 0.85, wrong


def test_cross_lingual_recall_at_5(outcomes: list[Outcome]):
    overall = score(outcomes)[0]
    recall = overall.as_dict()["cross_lingual_recall@5"]
    assert recall is not None and recall >= 0.85, describe(
        [o for o in overall.misses if not o.translated]
    )
