"""documents/*.yaml, the kinds of paper: each problem named by file, line and field."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from knowledge_folder import TODAY, Folder

from bot.knowledge.document_kinds import DocumentKinds
from bot.knowledge.documents import load_document_kinds
from bot.knowledge.models import Problem
from bot.text.languages import SERVED as SUPPORTED

KIND = "documents/call_up_papers.yaml"
STARTER = Path(__file__).resolve().parents[2] / "knowledge"


def kinds_of(folder: Folder, today: date = TODAY) -> DocumentKinds:
    knowledge = folder.load(today)
    published = {d.id for d in knowledge.published}
    return load_document_kinds(folder.root, published, SUPPORTED, today)


def only(found: DocumentKinds, rel: str, field: str | None) -> Problem:
    matches = [p for p in found.problems if p.path == rel and p.field == field]
    assert len(matches) == 1, f"expected one problem [{field}] in {rel}: {found.problems}"
    return matches[0]


def test_the_fixture_kind_loads_with_its_phrases_and_translations(folder: Folder):
    found = kinds_of(folder)
    assert found.problems == []
    kind = found.kinds["call_up_papers"]
    assert kind.dangerous and kind.guides == ("detained-rights",) and kind.published
    assert kind.name("fr") == "une convocation militaire"
    assert kind.name("es") == "una citación militar"
    assert kind.name("xx") == "call-up papers"  # a language without a name: English stands in
    first = kind.phrases[0]
    line = folder.line(KIND, "- ru: повестка")
    assert (first.text, first.weight, first.line) == ("повестка", 0.6, line)
    assert first.translation("sw") == "wito" and first.translation("ru") == "повестка"


def test_the_starter_kinds_have_no_problems():
    from bot.knowledge.loader import load_knowledge

    written = date(2026, 12, 7)  # fixed, like the guides' check: no warning as time passes
    knowledge = load_knowledge(STARTER, today=written)
    found = load_document_kinds(STARTER, {d.id for d in knowledge.published}, SUPPORTED, written)
    assert [str(p) for p in found.problems] == []
    assert {"military_contract", "call_up_papers", "citizenship_application",
            "expulsion_decision", "power_of_attorney", "employment_contract",
            "lease"} <= set(found.kinds)
    for kind in found.kinds.values():  # every phrase in every served language, and Spanish
        for phrase in kind.phrases:
            assert set(SUPPORTED) - {"ru"} | {"es"} <= set(phrase.translations), phrase.text


def test_an_unknown_guide_is_an_error_with_a_suggestion(folder: Folder):
    folder.edit(KIND, "guides: [detained-rights]", "guides: [detained-right]")
    found = kinds_of(folder)
    p = only(found, KIND, "guides")
    assert p.severity == "error" and p.line == folder.line(KIND, "guides:")
    assert "no published guide 'detained-right'" in p.message and "detained-rights" in p.message
    assert found.kinds == {}  # a kind with an error is never used


def test_a_draft_guide_cannot_be_cited(folder: Folder):
    folder.edit(KIND, "guides: [detained-rights]", "guides: [detained-rights, fake-offers]")
    assert "fake-offers" in only(kinds_of(folder), KIND, "guides").message


def test_english_is_required_and_other_languages_are_warnings(folder: Folder):
    folder.edit(KIND, "    en: summons (call-up paper)\n", "")
    folder.edit(KIND, "  sw: barua ya kuitwa jeshini\n", "")
    found = kinds_of(folder)
    missing = only(found, KIND, "phrases.en")
    assert missing.severity == "error" and missing.line == folder.line(KIND, "- ru: повестка")
    name = only(found, KIND, "name")
    assert name.severity == "warning" and "no sw" in name.message
    assert name.line == folder.line(KIND, "en: call-up papers")


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("weight: 0.6", "weight: 1.5", "phrases.weight", "at most 1"),
        ("weight: 0.6", "weight: heavy", "phrases.weight", "must be a number"),
        ("- ru: повестка", "- ru: повесткa", "phrases.ru", "Cyrillic letters only"),  # Latin a
        ("- ru: повестка", "- ru: явка", "phrases.ru", "too short"),
        ("- ru: военный комиссариат", "- ru: повестки", "phrases.ru", "already a phrase"),
        ("dangerous: true", "dangerous: maybe", "dangerous", "true or false"),
        ("kind: call_up_papers", "kind: Call-up papers", "kind", "joined by '_'"),
        ("status: published", "status: live", "status", "must be one of"),
        ("    weight: 0.5\n", "    weigth: 0.5\n", "phrases.weigth", "did you mean 'weight'"),
    ],
)
def test_bad_values_are_errors_at_their_line(folder: Folder, old, new, field, words):
    folder.edit(KIND, old, new)
    found = kinds_of(folder)
    p = only(found, KIND, field)
    assert p.severity == "error" and words in p.message, p
    assert p.line == folder.line(KIND, new.strip().split("\n")[0])
    assert "call_up_papers" not in found.kinds


def test_weights_that_can_never_decide_are_an_error(folder: Folder):
    folder.edit(KIND, "weight: 0.6", "weight: 0.4")
    p = only(kinds_of(folder), KIND, "phrases")
    assert "add up to 0.9" in p.message and p.line == folder.line(KIND, "- ru: повестка")


def test_a_kind_described_twice_is_an_error(folder: Folder):
    folder.write("documents/later.yaml", folder.read(KIND))
    p = only(kinds_of(folder), "documents/later.yaml", "kind")
    assert f"already described in {KIND}" in p.message


def test_invalid_yaml_names_its_line(folder: Folder):
    folder.edit(KIND, "guides: [detained-rights]", "guides: [detained-rights")
    p = only(kinds_of(folder), KIND, None)
    assert "invalid YAML" in p.message and p.line >= folder.line(KIND, "guides: [detained-rights")


def test_a_file_must_hold_one_kind(folder: Folder):
    folder.write("documents/list.yaml", "- kind: lease\n- kind: other\n")
    p = only(kinds_of(folder), "documents/list.yaml", None)
    assert p.line == 1 and "must be one kind" in p.message


def test_missing_fields_and_other_files(folder: Folder):
    folder.write("documents/empty_kind.yaml", "kind: empty_kind\n")
    folder.write("documents/notes.txt", "ideas")
    found = kinds_of(folder)
    assert only(found, "documents/empty_kind.yaml", "guides").message == (
        "missing required field 'guides'")
    assert only(found, "documents/notes.txt", None).severity == "warning"


def test_a_passed_review_date_warns_and_keeps_the_kind(folder: Folder):
    found = kinds_of(folder, today=date(2027, 6, 1))
    p = only(found, KIND, "review_due")
    assert p.severity == "warning" and "call_up_papers" in found.kinds


def test_draft_kinds_are_loaded_but_not_published(folder: Folder):
    folder.edit(KIND, "status: published", "status: draft")
    found = kinds_of(folder)
    assert "call_up_papers" in found.kinds and found.published == []


def test_no_documents_folder_is_a_warning(folder: Folder):
    for path in (folder.root / "documents").iterdir():
        path.unlink()
    (folder.root / "documents").rmdir()
    found = kinds_of(folder)
    assert [(p.path, p.severity) for p in found.problems] == [("documents", "warning")]


def test_knowledge_check_reports_document_errors(folder: Folder):
    folder.edit(KIND, "weight: 0.6", "weight: 2")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "knowledge", "check", str(folder.root)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    line = folder.line(KIND, "weight: 2")
    assert f"{KIND}:{line}: [phrases.weight] error: '2' must be a number" in done.stdout


def test_the_editors_guide_example_is_a_valid_kind(tmp_path: Path):
    guide = (STARTER / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(kind: .*?)```", guide, re.S)
    assert example, "the editors' guide lost its document kind example"
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "military_contract.yaml").write_text(example[1], encoding="utf-8")
    found = load_document_kinds(tmp_path, {"papers-to-sign", "pressured-to-sign"}, ("en", "fr"),
                                date(2026, 12, 7))
    assert found.problems == [] and list(found.kinds) == ["military_contract"]
