"""The triage folder: what the shipped files hold, and clear errors for a bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.advisor.triage import LEVELS, TriageDataError, read_triage
from bot.advisor.triage.data import CUE_KINDS
from bot.config import PROMPTS_DIR
from bot.text.languages import SERVED as SUPPORTED

TRIAGE = PROMPTS_DIR / "triage"
# Spanish is being added for Cuban users; its triage file ships ahead of the rest.
SERVED = sorted({*SUPPORTED, "es"})

GOOD = """\
definitions:
  urgent: in danger now
  sensitive: harm that is over
  routine: questions
cues:
  now: ["now", "tonight"]
  past: ["last week"]
  general: ["what if"]
urgent:
  - "they locked us in now"
sensitive:
  - "they beat me last week"
routine:
  - "what if police stop me"
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(folder: Path) -> list[str]:
    with pytest.raises(TriageDataError) as caught:
        read_triage(folder)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_definitions_cover_every_served_language_and_level():
    data = read_triage(TRIAGE)
    for lang in SERVED:
        assert set(data.definitions[lang]) == set(LEVELS), lang
        assert all(len(text) > 40 for text in data.definitions[lang].values()), lang


def test_the_shipped_examples_cover_every_served_language_level_and_cue_kind():
    data = read_triage(TRIAGE)
    assert len(data.examples) >= 600
    for lang in SERVED:
        for level in LEVELS:
            count = sum(e.lang == lang and e.level == level for e in data.examples)
            assert count >= 15, (lang, level, count)
        assert all(data.cues[lang].get(kind) for kind in CUE_KINDS), lang


def test_examples_keep_their_file_line_and_language(tmp_path: Path):
    path = write(tmp_path, "en.yaml", GOOD)
    data = read_triage(tmp_path)
    assert [(e.level, e.line, e.lang, e.path) for e in data.examples] == [
        ("urgent", 10, "en", str(path)), ("sensitive", 12, "en", str(path)),
        ("routine", 14, "en", str(path)),
    ]
    assert data.definitions["en"]["urgent"] == "in danger now"
    assert data.cues["en"]["now"] == ["now", "tonight"]


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (GOOD.replace("  - \"they beat me last week\"", "  - 42"), 12, "sensitive[0]",
         "non-empty text"),
        (GOOD.replace("  - \"they beat me last week\"", "  - \"\""), 12, "sensitive[0]",
         "non-empty text"),
        (GOOD.replace("routine:\n  - \"what if police stop me\"\n", ""), 1, "routine",
         "missing"),
        (GOOD.replace("urgent:\n  - \"they locked", "urgent: oops\nx:\n  - \"they locked"),
         9, "urgent", "expected a list"),
        (GOOD + "notes: hello\n", 15, "notes", "unknown field"),
        (GOOD.replace("  routine: questions\n", ""), 2, "definitions.routine", "missing"),
        (GOOD.replace("  routine: questions", "  routine: [a, b]"), 4, "definitions.routine",
         "must be a text"),
        (GOOD.replace("  past:", "  later:"), 7, "cues.later", "unknown kind"),
        (GOOD.replace('  general: ["what if"]', "  general: what if"), 8, "cues.general",
         "expected a list"),
        (GOOD.replace("  - \"what if police stop me\"", "  - \"They locked us in NOW\""), 14,
         "routine", "contradicts the urgent example at"),
        (GOOD.replace("  - \"what if police stop me\"",
                      "  - \"what if police stop me\"\n  - \"what if  police stop me\""),
         15, "routine", "also listed at"),
    ],
)
def test_a_bad_file_names_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, words: str
):
    path = write(tmp_path, "en.yaml", text)
    found = problems(tmp_path)
    assert any(p.startswith(f"{path}:{line}: [{field}]") and words in p for p in found), found


def test_unreadable_yaml_names_the_line(tmp_path: Path):
    path = write(tmp_path, "fr.yaml", GOOD + "routine: [unclosed\n")
    # The parser notices at the end of the file (line 16) that the list never closed.
    assert any(p.startswith(f"{path}:16:") and "cannot read" in p for p in problems(tmp_path))


def test_a_file_must_be_named_by_its_language(tmp_path: Path):
    path = write(tmp_path, "english.yaml", GOOD)
    assert any(p.startswith(f"{path}:1:") and "ISO 639-1" in p for p in problems(tmp_path))


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path):
    write(tmp_path, "en.yaml", GOOD + "notes: x\n")
    write(tmp_path, "fr.yaml", GOOD.replace("  - \"they beat me last week\"", "  - 7"))
    found = problems(tmp_path)
    assert len(found) == 2 and "en.yaml" in found[0] and "fr.yaml" in found[1]


def test_the_same_message_in_two_languages_is_allowed(tmp_path: Path):
    write(tmp_path, "hi.yaml", GOOD)
    write(tmp_path, "ne.yaml", GOOD)
    assert len(read_triage(tmp_path).examples) == 6


def test_a_missing_or_empty_folder_is_an_error(tmp_path: Path):
    assert "no triage files" in problems(tmp_path / "nowhere")[0]
    (tmp_path / "empty").mkdir()
    assert "no triage files" in problems(tmp_path / "empty")[0]


def test_cues_are_optional(tmp_path: Path):
    write(tmp_path, "en.yaml", GOOD.split("cues:")[0] + "urgent:" + GOOD.split("\nurgent:")[1])
    assert read_triage(tmp_path).cues["en"] == {}
