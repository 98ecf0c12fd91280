"""load_knowledge on real folders: the valid fixture, and copies of it broken one way each."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from knowledge_folder import TODAY, Folder, unexpected

from bot.knowledge.loader import load_knowledge

VISA = "guides/en/student-visa.md"
DETAINED = "guides/en/detained.md"
DRAFT = "guides/en/drafts/fake-offers.md"
VISA_FR = "guides/fr/student-visa.md"


def assert_rejected(knowledge, rel: str) -> None:
    assert rel not in {d.path for d in knowledge.documents}


# -- the valid folder --------------------------------------------------------------------


def test_valid_folder_loads_without_problems(folder: Folder):
    k = folder.load()
    assert k.problems == []
    assert sorted(d.path for d in k.documents) == sorted([VISA, DETAINED, DRAFT, VISA_FR])
    assert sorted(k.referrals) == ["embassy-finder", "iom-ru-hotline", "legal-aid-ngo"]


def test_readme_and_other_files_outside_guides_are_not_guides(folder: Folder):
    folder.write("notes/ideas.md", "not a guide")
    k = folder.load()
    assert unexpected(k) == []
    assert all(d.path.startswith("guides/") for d in k.documents)


def test_document_fields(folder: Folder):
    k = folder.load()
    doc = next(d for d in k.documents if d.path == VISA)
    assert doc.id == "student-visa-extension"
    assert doc.lang == "en" and doc.countries == ("RU",)
    assert doc.referrals == ("embassy-finder", "legal-aid-ngo")
    assert doc.sources[0].url == "https://example.org/visas"
    assert doc.sources[0].date == date(2024, 6, 9)
    assert doc.sources[1].url is None
    assert doc.reviewed_on == date(2026, 11, 1) and doc.review_due == date(2099, 12, 31)
    assert doc.checksum == hashlib.sha256(folder.path(VISA).read_bytes()).hexdigest()
    assert doc.body_line == folder.line(VISA, "## Who extends your visa")
    assert doc.body.startswith("## Who extends your visa")


def test_quoted_dates_are_accepted(folder: Folder):
    doc = next(d for d in folder.load().documents if d.path == DETAINED)
    assert doc.reviewed_on == date(2026, 11, 1)


def test_draft_is_loaded_and_flagged(folder: Folder):
    k = folder.load()
    draft = next(d for d in k.documents if d.path == DRAFT)
    assert draft.status == "draft" and not draft.published
    assert draft not in k.published
    assert len(k.published) == 3


def test_draft_is_validated_like_a_published_guide(folder: Folder):
    folder.edit(DRAFT, "lang: en", "lang: english")
    k = folder.load()
    p = folder.problem(k, DRAFT, "lang")
    assert p.line == folder.line(DRAFT, "lang:") and p.severity == "error"
    assert_rejected(k, DRAFT)


def test_same_id_in_two_languages_is_fine(folder: Folder):
    ids = [(d.id, d.lang) for d in folder.load().documents]
    assert ("student-visa-extension", "en") in ids and ("student-visa-extension", "fr") in ids


# -- front matter ------------------------------------------------------------------------


def test_no_front_matter(folder: Folder):
    folder.write(VISA, "## Just a body\nText.\n")
    p = folder.problem(folder.load(), VISA, None)
    assert p.line == 1 and "no front matter" in p.message


def test_unterminated_front_matter(folder: Folder):
    folder.write(VISA, "---\nid: x\ntitle: y\n")
    p = folder.problem(folder.load(), VISA, None)
    assert p.line == 1 and "not closed" in p.message


def test_invalid_yaml_reports_yaml_line(folder: Folder):
    folder.edit(VISA, "topics: [visa, students, coercion]", "topics: [visa, students")
    p = folder.problem(folder.load(), VISA, None)
    assert "invalid YAML" in p.message
    assert p.line >= folder.line(VISA, "topics:")


def test_front_matter_not_a_mapping(folder: Folder):
    folder.write(VISA, "---\n- a\n- b\n---\nText.\n")
    p = folder.problem(folder.load(), VISA, None)
    assert p.line == 2 and "field: value" in p.message


# -- fields ------------------------------------------------------------------------------


def test_missing_required_field(folder: Folder):
    folder.edit(VISA, "topics: [visa, students, coercion]\n", "")
    k = folder.load()
    p = folder.problem(k, VISA, "topics")
    assert p.line == 2 and "missing required field 'topics'" in p.message
    assert_rejected(k, VISA)


def test_unknown_field_suggests_the_closest(folder: Folder):
    folder.edit(VISA, "reviewed_by:", "reviewd_by:")
    k = folder.load()
    p = folder.problem(k, VISA, "reviewd_by")
    assert p.line == folder.line(VISA, "reviewd_by:")
    assert "unknown field" in p.message and "did you mean 'reviewed_by'" in p.message
    assert "missing" in folder.problem(k, VISA, "reviewed_by").message


def test_string_where_a_list_is_expected(folder: Folder):
    folder.edit(VISA, "countries: [RU]", "countries: RU")
    p = folder.problem(folder.load(), VISA, "countries")
    assert p.line == folder.line(VISA, "countries:") and "must be a list" in p.message


def test_list_where_text_is_expected(folder: Folder):
    folder.edit(VISA, "title: Your student visa and who can extend it", "title: [a, b]")
    p = folder.problem(folder.load(), VISA, "title")
    assert p.line == folder.line(VISA, "title:") and "must be text" in p.message


@pytest.mark.parametrize(
    ("field", "bad", "says"),
    [
        ("review_due", "2099-13-01", "not a real date"),
        ("reviewed_on", "last week", "not a date"),
        ("review_due", "'31/12/2099'", "YYYY-MM-DD"),
    ],
)
def test_bad_date(folder: Folder, field: str, bad: str, says: str):
    old = "review_due: 2099-12-31" if field == "review_due" else "reviewed_on: 2026-11-01"
    folder.edit(VISA, old, f"{field}: {bad}")
    p = folder.problem(folder.load(), VISA, field)
    assert p.line == folder.line(VISA, f"{field}:")
    assert says in p.message and bad.strip("'") in p.message


def test_id_must_be_kebab_case(folder: Folder):
    folder.edit(VISA, "id: student-visa-extension", "id: Student_Visa")
    p = folder.problem(folder.load(), VISA, "id")
    assert p.line == 2 and "'Student_Visa'" in p.message


@pytest.mark.parametrize(("bad", "hint"), [("xx", ""), ("EN", "did you mean 'en'")])
def test_unknown_language_code(folder: Folder, bad: str, hint: str):
    folder.edit(VISA, "lang: en", f"lang: {bad}")
    p = folder.problem(folder.load(), VISA, "lang")
    assert p.line == folder.line(VISA, "lang:") and p.severity == "error"
    assert f"unknown language code '{bad}'" in p.message and hint in p.message


def test_lang_not_matching_its_folder_is_a_warning(folder: Folder):
    folder.edit(DETAINED, "lang: en", "lang: de")
    k = folder.load()
    p = folder.problem(k, DETAINED, "lang")
    assert p.severity == "warning" and p.line == folder.line(DETAINED, "lang:")
    assert "guides/en/" in p.message
    assert DETAINED in {d.path for d in k.documents}


def test_unknown_country_code_points_at_the_item(folder: Folder):
    folder.edit(VISA, "countries: [RU]", "countries:\n  - RU\n  - XX")
    p = folder.problem(folder.load(), VISA, "countries")
    assert p.line == folder.line(VISA, "- XX") and "'XX'" in p.message


def test_norway_is_a_country_not_false(folder: Folder):
    folder.edit(VISA, "countries: [RU]", "countries: [RU, NO]")
    k = folder.load()
    assert unexpected(k) == []
    assert next(d for d in k.documents if d.path == VISA).countries == ("RU", "NO")


def test_status_must_be_published_or_draft(folder: Folder):
    folder.edit(VISA, "status: published", "status: final")
    p = folder.problem(folder.load(), VISA, "status")
    assert p.line == folder.line(VISA, "status:") and "published, draft" in p.message


def test_source_needs_a_title(folder: Folder):
    folder.edit(VISA, "  - title: Interview with a university lawyer", "  - url: https://x.org")
    p = folder.problem(folder.load(), VISA, "sources.title")
    assert p.line == folder.line(VISA, "url: https://x.org") and "missing" in p.message


def test_source_url_must_be_http(folder: Folder):
    folder.edit(VISA, "url: https://example.org/visas", "url: www.example.org/visas")
    p = folder.problem(folder.load(), VISA, "sources.url")
    assert p.line == folder.line(VISA, "url: www.") and "http" in p.message


def test_source_date_must_be_a_date(folder: Folder):
    folder.edit(VISA, "date: 2024-06-09", "date: June 2024")
    p = folder.problem(folder.load(), VISA, "sources.date")
    assert p.line == folder.line(VISA, "date: June")


def test_duplicate_id_and_lang_names_the_first_file(folder: Folder):
    copy = "guides/en/zz-copy.md"
    folder.write(copy, folder.read(VISA))
    k = folder.load()
    p = folder.problem(k, copy, "id")
    assert p.line == 2 and VISA in p.message
    assert [p for p in k.problems if p.path == VISA] == []
    assert_rejected(k, copy)


def test_unknown_referral_suggests_the_closest_id(folder: Folder):
    folder.edit(
        VISA,
        "referrals: [embassy-finder, legal-aid-ngo]",
        "referrals:\n  - embassy-finder\n  - embassy-findr",
    )
    p = folder.problem(folder.load(), VISA, "referrals")
    assert p.line == folder.line(VISA, "- embassy-findr")
    assert "'embassy-findr'" in p.message and "did you mean 'embassy-finder'" in p.message


def test_empty_body(folder: Folder):
    text = folder.read(VISA)
    folder.write(VISA, text[: text.index("## Who")] + "\n\n")
    k = folder.load()
    p = folder.problem(k, VISA, "body")
    assert "empty" in p.message and p.line == folder.line(VISA, "review_due") + 2
    assert_rejected(k, VISA)


def test_body_without_text_after_sanitizing(folder: Folder):
    text = folder.read(VISA)
    folder.write(VISA, text[: text.index("## Who")] + "## Heading\n<!-- only a comment -->\n")
    k = folder.load()
    problems = {p.severity: p for p in k.problems if p.path == VISA and p.field == "body"}
    assert problems["warning"].line == folder.line(VISA, "<!--")
    assert "no text" in problems["error"].message
    assert problems["error"].line == folder.line(VISA, "## Heading")
    assert_rejected(k, VISA)


def test_review_due_in_the_past_is_a_warning(folder: Folder):
    k = folder.load(today=date(2100, 1, 1))
    p = folder.problem(k, VISA, "review_due")
    assert p.severity == "warning" and p.line == folder.line(VISA, "review_due:")
    assert len(k.documents) == 4 and k.errors == []


def test_reviewed_on_in_the_future_is_a_warning(folder: Folder):
    k = folder.load(today=date(2026, 10, 1))
    p = folder.problem(k, VISA, "reviewed_on")
    assert p.severity == "warning" and p.line == folder.line(VISA, "reviewed_on:")
    # The registry's verified_on dates are also in that future: errors, not this test's point.
    assert VISA in {d.path for d in load_knowledge(folder.root, TODAY).documents}


def test_review_due_before_reviewed_on_is_an_error(folder: Folder):
    folder.edit(VISA, "review_due: 2099-12-31", "review_due: 2026-01-01")
    p = [p for p in folder.load().problems if p.path == VISA and p.severity == "error"]
    assert [(x.field, x.line) for x in p] == [("review_due", folder.line(VISA, "review_due:"))]


def test_active_html_rejects_the_document(folder: Folder):
    folder.edit(VISA, "It cannot make", "<script>alert(1)</script> It cannot make")
    k = folder.load()
    p = folder.problem(k, VISA, "body")
    assert p.severity == "error" and p.line == folder.line(VISA, "<script>")
    assert_rejected(k, VISA)


def test_harmless_html_and_invisible_characters_are_stripped(folder: Folder):
    folder.edit(VISA, "It cannot make", "<b>It</b> cannot\u200b make")
    k = folder.load()
    found = [p for p in k.problems if p.path == VISA]
    assert {p.severity for p in found} == {"warning"}
    assert {p.line for p in found} == {folder.line(VISA, "<b>It</b>")}
    assert any("U+200B" in p.message for p in found)
    doc = next(d for d in k.documents if d.path == VISA)
    assert "\nIt cannot make the extension" in doc.body


def test_not_utf8(folder: Folder):
    line = folder.line(VISA, "Your **")
    folder.path(VISA).write_bytes(folder.path(VISA).read_bytes().replace(b"Your **", b"\xff**"))
    p = folder.problem(folder.load(), VISA, None)
    assert "UTF-8" in p.message and p.line == line


def test_windows_line_ends_give_the_same_document(folder: Folder):
    before = next(d for d in folder.load().documents if d.path == VISA)
    folder.path(VISA).write_bytes(folder.path(VISA).read_bytes().replace(b"\n", b"\r\n"))
    after = next(d for d in folder.load().documents if d.path == VISA)
    assert (after.body, after.body_line) == (before.body, before.body_line)


def test_non_markdown_file_in_guides_is_a_warning(folder: Folder):
    folder.write("guides/en/notes.txt", "draft text")
    p = folder.problem(folder.load(), "guides/en/notes.txt", None)
    assert p.severity == "warning" and ".md" in p.message


def test_every_problem_of_a_file_is_reported_at_once(folder: Folder):
    folder.edit(VISA, "lang: en", "lang: xx")
    folder.edit(VISA, "countries: [RU]", "countries: RU")
    folder.edit(VISA, "status: published", "status: final")
    folder.edit(VISA, "review_due: 2099-12-31", "review_due: soon")
    folder.edit(VISA, "reviewed_by:", "reviewer:")
    folder.edit(VISA, "It cannot make", "<iframe src=x></iframe>")
    k = folder.load()
    found = {(p.field, p.line) for p in k.problems if p.path == VISA}
    assert found == {
        ("lang", folder.line(VISA, "lang:")),
        ("countries", folder.line(VISA, "countries:")),
        ("status", folder.line(VISA, "status:")),
        ("review_due", folder.line(VISA, "review_due:")),
        ("reviewer", folder.line(VISA, "reviewer:")),
        ("reviewed_by", 2),
        ("body", folder.line(VISA, "<iframe")),
    }
    assert_rejected(k, VISA)
    assert len(k.documents) == 3  # the others are still served


def test_problems_come_sorted_by_file_and_line(folder: Folder):
    folder.edit(VISA, "status: published", "status: final")
    folder.edit(VISA, "lang: en", "lang: xx")
    folder.edit(DETAINED, "lang: en", "lang: xx")
    k = folder.load()
    assert [(p.path, p.line) for p in k.problems] == sorted((p.path, p.line) for p in k.problems)


def test_missing_folder_is_a_problem_not_an_exception(tmp_path):
    k = load_knowledge(tmp_path / "nowhere", TODAY)
    assert len(k.errors) == 1 and "does not exist" in k.errors[0].message


def test_missing_guides_folder(tmp_path):
    (tmp_path / "referrals").mkdir()
    k = load_knowledge(tmp_path, TODAY)
    assert [(p.path, p.severity) for p in k.problems] == [("guides", "error")]


def test_real_knowledge_folder_of_the_project_is_valid():
    from pathlib import Path

    root = Path(__file__).parents[2] / "knowledge"
    if not (root / "guides").is_dir():
        pytest.skip("the project has no knowledge folder yet")
    k = load_knowledge(root, TODAY)
    assert k.errors == [], "\n".join(map(str, k.errors))
