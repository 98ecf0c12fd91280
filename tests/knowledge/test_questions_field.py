"""The optional ``questions:`` front-matter list: editors' example questions (issue 15)."""

from __future__ import annotations

import pytest
from knowledge_folder import Folder, unexpected

from bot.knowledge.loader import MAX_QUESTION_CHARS, MAX_QUESTIONS

VISA = "guides/en/student-visa.md"
TOPICS = "topics: [visa, students, coercion]\n"


def with_questions(folder: Folder, block: str) -> None:
    folder.edit(VISA, TOPICS, TOPICS + block)


def test_a_guide_without_questions_has_none(folder: Folder):
    doc = next(d for d in folder.load().documents if d.path == VISA)
    assert doc.questions == ()


def test_questions_are_read_in_order(folder: Folder):
    with_questions(folder, 'questions:\n  - "who can extend my visa"\n'
                           "  - my dean says join the army or lose the visa\n")
    k = folder.load()
    assert unexpected(k) == []
    doc = next(d for d in k.documents if d.path == VISA)
    assert doc.questions == ("who can extend my visa",
                             "my dean says join the army or lose the visa")
    assert doc.line_of("questions") == folder.line(VISA, "who can extend my visa")


@pytest.mark.parametrize(("block", "needle", "message"), [
    ("questions: who can extend my visa\n", "questions:", "must be a list"),
    ("questions:\n", "questions:", "must be a list of texts"),
    ("questions: []\n", "questions:", "must not be empty"),
    ('questions:\n  - "who extends it"\n  - ""\n', '  - ""', "must be plain text"),
    ("questions:\n  - who extends it\n  - [a, b]\n", "  - [a, b]", "must be plain text"),
    ("questions:\n  - who extends my visa\n  - Who  extends my VISA\n",
     "Who  extends", "given twice (first on line"),
    (f"questions:\n  - {'visa ' * (MAX_QUESTION_CHARS // 5 + 1)}\n", "visa visa",
     f"under {MAX_QUESTION_CHARS}"),
    ("questions:\n" + "".join(f"  - question {i}\n" for i in range(MAX_QUESTIONS + 1)),
     "questions:", f"at most {MAX_QUESTIONS}"),
])
def test_a_bad_questions_list_is_an_error_naming_file_line_and_field(
    folder: Folder, block: str, needle: str, message: str
):
    with_questions(folder, block)
    k = folder.load()
    problem = Folder.problem(k, VISA, "questions")
    assert problem.severity == "error" and message in problem.message
    line = folder.line(VISA, needle)
    # A list's own problems are reported at its first item, an item's at that item.
    assert problem.line in (line, line + 1)
    assert VISA not in {d.path for d in k.documents}  # never served half-checked
