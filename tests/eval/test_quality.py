"""The regression guard for retrieval and answer quality on the whole evaluation set.

Targets of the retrieval issue: recall@5 >= 0.90, MRR >= 0.75, no-answer
accuracy >= 0.90, over tests/eval/questions.yaml with the shipped knowledge.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.metrics import Outcome, score
from bot.evaluation.questions import load_questions
from bot.evaluation.runner import run_questions
from bot.runtime import Runtime

QUESTIONS = Path(__file__).parent / "questions.yaml"

pytestmark = pytest.mark.slow


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


def test_retrieval_has_not_fallen_further(outcomes: list[Outcome]):
    """Until the targets are met: no regression below today's measurement."""
    d = score(outcomes)[0].as_dict()
    assert d["recall@5"] is not None and d["recall@5"] >= 0.85
    assert d["mrr"] is not None and d["mrr"] >= 0.70


# Measured on the knowledge as it stands (626 passages, 128 documents): recall@5 0.878 and
# MRR 0.722, mostly Arabic-dialect, Swahili and Nepali questions (see the report). Strict:
# when retrieval reaches the targets these turn into XPASS failures; then drop the marks.
BELOW_TARGET = pytest.mark.xfail(
    strict=True, reason="retrieval is below the issue's targets (recall@5 0.878, MRR 0.722)"
)


@BELOW_TARGET
def test_recall_at_5(outcomes: list[Outcome]):
    overall, _ = score(outcomes)
    recall = overall.as_dict()["recall@5"]
    assert recall is not None and recall >= 0.90, describe(overall.misses)


@BELOW_TARGET
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
