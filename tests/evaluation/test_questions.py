"""``bot.evaluation``: question sets with clear errors, and metrics computed right."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.evaluation import triage_report
from bot.evaluation.metrics import Outcome, calibrate, score
from bot.evaluation.questions import EvalQuestion, QuestionSetError, load_questions
from bot.knowledge.loader import load_knowledge
from tests.conftest import STARTER_KNOWLEDGE

GOOD = """\
# a comment
- question: Who extends my visa?
  lang: en
  country: RU
  expect_docs: [student-visa-extension]
  expect_urgent: false
- question: whats the weather
  lang: en
- {question: "passeport pris", lang: fr, expect_docs: [passport-taken], expect_status: answered}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_questions_reads_fields_lines_and_defaults(tmp_path: Path):
    qs = load_questions(write(tmp_path, GOOD))
    assert [q.line for q in qs] == [2, 7, 9]
    assert qs[0] == EvalQuestion(
        question="Who extends my visa?", lang="en", country="RU",
        expect_docs=("student-visa-extension",), expect_urgent=False,
        expect_status="answered", line=2,
    )
    assert qs[1].expect_status == "no_answer" and qs[1].expect_docs == ()
    assert qs[2].lang == "fr" and qs[2].expect_status == "answered"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD + "- lang: en\n", 10, "needs a `question`"),
        (GOOD + "- question: hi\n  expect_docs: [a]\n  expected_status: answered\n", 10,
         "unknown field(s) ['expected_status']"),
        (GOOD + "- question: hi\n  expect_status: maybe\n", 10, "[expect_status]"),
        (GOOD + "- just a string\n", 10, "needs a `question`"),
        ("question: not a list\n", 1, "a YAML list"),
    ],
)
def test_load_questions_errors_name_the_line(tmp_path: Path, text: str, line: int, words: str):
    path = write(tmp_path, text)
    with pytest.raises(QuestionSetError) as caught:
        load_questions(path)
    message = str(caught.value)
    assert f"{path}:{line}:" in message and words in message


def test_every_error_is_reported_at_once(tmp_path: Path):
    path = write(tmp_path, "- lang: en\n- question: ok\n- question: x\n  bogus: 1\n")
    with pytest.raises(QuestionSetError) as caught:
        load_questions(path)
    lines = str(caught.value).splitlines()
    assert [ln.split(": ", 1)[0] for ln in lines] == [f"{path}:1", f"{path}:3"]


def test_unreadable_yaml_is_a_question_set_error(tmp_path: Path):
    with pytest.raises(QuestionSetError, match="cannot read"):
        load_questions(write(tmp_path, "- question: [unclosed\n"))
    with pytest.raises(QuestionSetError, match="cannot read"):
        load_questions(tmp_path / "missing.yaml")


def test_the_shipped_question_set_loads():
    qs = load_questions(Path(__file__).parents[1] / "eval" / "questions.yaml")
    assert len(qs) > 100
    assert {q.expect_status for q in qs} == {"answered", "no_answer"}


# -- metrics ------------------------------------------------------------------------------


def q(expect: tuple[str, ...] = (), lang: str = "en", status: str | None = None) -> EvalQuestion:
    return EvalQuestion(
        question="?", lang=lang, country=None, expect_docs=expect, expect_urgent=None,
        expect_status=status or ("answered" if expect else "no_answer"), line=1,
    )


def outcome(question: EvalQuestion, ranked: list[str], status: str, sim: float = 0.9) -> Outcome:
    return Outcome(question=question, ranked_docs=ranked, top_similarity=sim, status=status,
                   cited_docs=ranked[:1], urgent=False)


OUTCOMES = [
    outcome(q(("a",)), ["a", "b"], "answered"),  # rank 1
    outcome(q(("a", "z")), ["b", "c", "z", "a"], "answered"),  # rank 3 (z comes first)
    outcome(q(("x",), lang="fr"), ["a", "b", "c", "d", "e", "x"], "answered"),  # rank 6
    outcome(q(("y",), lang="fr"), ["a", "b"], "no_answer"),  # never found, wrong status
    outcome(q(lang="fr"), ["a"], "no_answer", sim=0.7),  # out of scope, refused
    outcome(q(), ["a"], "answered", sim=0.85),  # out of scope, answered anyway
]


def test_rank_is_the_first_expected_document():
    assert [o.rank for o in OUTCOMES] == [1, 3, 6, None, None, None]


def test_recall_mrr_and_no_answer_accuracy():
    overall, by_lang = score(OUTCOMES)
    d = overall.as_dict()
    assert d["questions"] == 6 and d["answerable"] == 4
    assert d["recall@1"] == 0.25  # 1 of 4
    assert d["recall@5"] == 0.5  # ranks 1 and 3
    assert d["mrr"] == round((1 + 1 / 3 + 1 / 6 + 0) / 4, 3)
    assert d["no_answer_accuracy"] == round(4 / 6, 3)  # all but #4 and #6
    assert d["out_of_scope"] == 2 and d["out_of_scope_refused"] == 1
    assert [o.question.expect_docs for o in overall.misses] == [("x",), ("y",)]

    assert list(by_lang) == ["en", "fr"]
    fr = by_lang["fr"].as_dict()
    assert fr["questions"] == 3 and fr["answerable"] == 2
    assert fr["recall@5"] == 0.0 and fr["mrr"] == round(1 / 6 / 2, 3)
    assert by_lang["en"].as_dict()["recall@5"] == 1.0


def test_empty_scores_have_no_ratios():
    overall, by_lang = score([])
    assert by_lang == {}
    assert overall.as_dict()["recall@5"] is None and overall.as_dict()["mrr"] is None


def test_calibrate_picks_a_separating_threshold():
    answerable = [outcome(q(("a",)), ["a"], "answered", sim=s) for s in (0.91, 0.88, 0.86)]
    refused = [outcome(q(), ["a"], "no_answer", sim=s) for s in (0.80, 0.83)]
    threshold, accuracy = calibrate(answerable + refused)
    assert accuracy == 1.0
    assert 0.83 < threshold <= 0.86
    assert all(o.top_similarity >= threshold for o in answerable)
    assert all(o.top_similarity < threshold for o in refused)


def test_calibrate_reports_the_best_it_can_when_classes_overlap():
    mixed = [
        outcome(q(("a",)), ["a"], "answered", sim=0.90),
        outcome(q(("a",)), ["a"], "answered", sim=0.82),
        outcome(q(), ["a"], "no_answer", sim=0.85),
        outcome(q(), ["a"], "no_answer", sim=0.70),
    ]
    threshold, accuracy = calibrate(mixed)
    assert accuracy == 0.75
    assert 0.70 < threshold <= 0.90
    assert calibrate([]) == (0.0, 0.0)


# -- the shipped question sets -------------------------------------------------------------

# The question sets (the conversation scripts beside them have a format of their own).
SHIPPED_SETS = sorted(p for p in (Path(__file__).parents[1] / "eval").glob("*.yaml")
                      if not p.name.startswith("conversations"))


@pytest.mark.parametrize("path", SHIPPED_SETS, ids=lambda p: p.name)
def test_shipped_question_sets_name_only_published_documents(path: Path):
    """A misspelt document id would count as a miss forever and lower recall silently."""
    published = {d.id for d in load_knowledge(STARTER_KNOWLEDGE).published}
    unknown = [(q.line, doc) for q in load_questions(path) for doc in q.expect_docs
               if doc not in published]
    assert unknown == [], f"{path.name}: unknown document ids (line, id): {unknown}"


def test_the_shipped_sets_are_there():
    assert [p.name for p in SHIPPED_SETS] == ["holdout-2.yaml", "holdout-3.yaml", "holdout-4.yaml",
                                              "holdout.yaml", "questions.yaml"]


# -- triage labels --------------------------------------------------------------------------


def test_expect_triage_is_read_and_implies_expect_urgent(tmp_path: Path):
    qs = load_questions(write(tmp_path, """\
- {question: "locked in now", expect_triage: urgent}
- {question: "beaten last year", expect_triage: sensitive, expect_urgent: false}
- {question: "visa?", expect_urgent: false}
- {question: "hello"}
"""))
    assert [(q.expect_triage, q.expect_urgent) for q in qs] == [
        ("urgent", True), ("sensitive", False), (None, False), (None, None)]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("- {question: x, expect_triage: alarm}\n", "[expect_triage] must be one of urgent"),
        ("- {question: x, expect_triage: routine, expect_urgent: true}\n",
         "[expect_triage] routine contradicts expect_urgent: true"),
        ("- {question: x, expect_triage: urgent, expect_urgent: false}\n",
         "[expect_triage] urgent contradicts expect_urgent: false"),
        ("- {question: x, expect_urgent: maybe}\n", "[expect_urgent] must be true or false"),
    ],
)
def test_bad_triage_labels_name_the_line_and_field(tmp_path: Path, text: str, words: str):
    path = write(tmp_path, "- question: fine\n" + text)
    with pytest.raises(QuestionSetError) as caught:
        load_questions(path)
    assert f"{path}:2:" in str(caught.value) and words in str(caught.value)


def test_every_shipped_question_has_a_triage_level():
    qs = load_questions(Path(__file__).parents[1] / "eval" / "questions.yaml")
    assert all(q.expect_triage in ("urgent", "sensitive", "routine") for q in qs)
    assert all(q.expect_urgent == (q.expect_triage == "urgent") for q in qs)


def labelled(level: str | None, urgent: bool | None, got: str, lang: str = "en",
             refused: bool = False) -> Outcome:
    question = EvalQuestion(question="?", lang=lang, country=None, expect_docs=(),
                            expect_urgent=urgent, expect_status="no_answer", line=1,
                            expect_triage=level)
    return Outcome(question=question, ranked_docs=[], top_similarity=0.5, status="no_answer",
                   cited_docs=[], urgent=False, triage=got, refused=refused)


TRIAGED = [
    labelled("urgent", True, "urgent"),
    labelled("urgent", True, "sensitive"),  # a missed urgent message
    labelled("sensitive", False, "urgent"),  # a false alarm
    labelled("sensitive", False, "sensitive", lang="fr"),
    labelled("routine", False, "routine", lang="fr"),
    labelled(None, False, "urgent", lang="fr"),  # an old label: counts for urgent only
    labelled(None, None, "urgent"),  # no label: not counted
]


def test_triage_figures_per_level_and_language():
    figs = triage_report.question_figures(TRIAGED)
    assert list(figs) == ["all", "en", "fr"]
    urgent, sensitive, routine = (figs["all"][lv] for lv in ("urgent", "sensitive", "routine"))
    assert (urgent.precision, urgent.recall, urgent.support) == (1 / 3, 1 / 2, 2)
    assert (sensitive.precision, sensitive.recall, sensitive.support) == (1 / 2, 1 / 2, 2)
    assert (routine.precision, routine.recall, routine.support) == (1.0, 1.0, 1)
    assert figs["fr"]["urgent"].precision == 0.0 and figs["fr"]["urgent"].recall is None


def test_a_triage_miss_names_what_was_expected():
    assert [triage_report.missed(o) for o in TRIAGED] == [
        None, "urgent", "sensitive", None, None, "not urgent", None]


def test_the_answer_level_and_the_classifier_level_are_reported_apart():
    # The advisor refuses a request before it is answered: its answer is routine, even
    # when the classifier alone said urgent.
    refused = replace(labelled("routine", False, "routine", refused=True),
                      triage_alone="urgent")
    answer = triage_report.question_figures([refused])
    alone = triage_report.question_figures([refused], "classifier")
    assert answer["all"]["urgent"].precision is None
    assert alone["all"]["urgent"].precision == 0.0
