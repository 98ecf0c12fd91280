"""The referral registry, checked through load_knowledge on copies of the valid fixture."""

from __future__ import annotations

from datetime import date

import pytest
from knowledge_folder import Folder, unexpected

REG = "referrals/registry.yaml"
VISA = "guides/en/student-visa.md"


def test_referral_fields(folder: Folder):
    k = folder.load()
    hotline = k.referrals["iom-ru-hotline"]
    assert hotline.phone == "+7 800 333-00-16" and hotline.urgent is True
    assert hotline.languages == ("ru", "en") and hotline.verified_on == date(2026, 11, 1)
    assert hotline.path == REG and hotline.line == folder.line(REG, "id: iom-ru-hotline")
    finder = k.referrals["embassy-finder"]
    assert finder.contacts() == [] and finder.notes and finder.phone is None


def test_registry_must_be_a_list(folder: Folder):
    folder.write(REG, "id: x\nname: y\n")
    p = folder.problem(folder.load(), REG, None)
    assert p.line == 1 and "list" in p.message


def test_entry_must_be_a_mapping(folder: Folder):
    folder.write(REG, folder.read(REG) + "\n- just a string\n")
    p = folder.problem(folder.load(), REG, None)
    assert p.line == folder.line(REG, "- just a string")


def test_invalid_yaml_reports_yaml_line(folder: Folder):
    folder.edit(REG, "languages: [ru, en]", "languages: [ru, en")
    p = folder.problem(folder.load(), REG, None)
    assert "invalid YAML" in p.message and p.line >= folder.line(REG, "languages: [ru, en")


def test_missing_source_is_an_error(folder: Folder):
    folder.edit(REG, "  source: https://example.org/legal-aid\n", "")
    k = folder.load()
    p = folder.problem(k, REG, "source")
    assert p.line == folder.line(REG, "id: legal-aid-ngo") and "legal-aid-ngo" in p.message
    assert "legal-aid-ngo" not in k.referrals


def test_source_must_be_a_web_address(folder: Folder):
    folder.edit(REG, "source: https://example.org/legal-aid", "source: a leaflet")
    p = folder.problem(folder.load(), REG, "source")
    assert p.line == folder.line(REG, "source: a leaflet")


def test_unknown_field_suggests_the_closest(folder: Folder):
    folder.edit(REG, "email: help@example.org", "emial: help@example.org")
    p = folder.problem(folder.load(), REG, "emial")
    assert p.line == folder.line(REG, "emial:") and "did you mean 'email'" in p.message


def test_kind_must_be_known(folder: Folder):
    folder.edit(REG, "kind: legal", "kind: lawyer")
    p = folder.problem(folder.load(), REG, "kind")
    assert p.line == folder.line(REG, "kind: lawyer") and "hotline" in p.message


def test_duplicate_id_across_files_names_the_first(folder: Folder):
    entry = folder.read(REG).split("\n\n")[1]  # the embassy-finder entry
    folder.write("referrals/zz-more.yml", entry + "\n")
    k = folder.load()
    p = folder.problem(k, "referrals/zz-more.yml", "id")
    assert p.line == 1
    assert f"{REG}:{folder.line(REG, 'id: embassy-finder')}" in p.message
    assert k.referrals["embassy-finder"].path == REG


def test_verified_on_in_the_future(folder: Folder):
    folder.edit(REG, "verified_on: 2026-10-15", "verified_on: 2030-01-01")
    p = folder.problem(folder.load(), REG, "verified_on")
    assert p.severity == "error" and p.line == folder.line(REG, "2030-01-01")


def test_verified_on_must_be_a_date(folder: Folder):
    folder.edit(REG, "verified_on: 2026-10-15", "verified_on: 2026-02-30")
    p = folder.problem(folder.load(), REG, "verified_on")
    assert p.line == folder.line(REG, "2026-02-30") and "not a real date" in p.message


def test_email_must_look_like_one(folder: Folder):
    folder.edit(REG, "email: help@example.org", "email: help at example.org")
    p = folder.problem(folder.load(), REG, "email")
    assert p.line == folder.line(REG, "email: help at")


def test_web_must_be_http(folder: Folder):
    folder.edit(REG, "web: https://example.org/hotline", "web: example.org/hotline")
    p = folder.problem(folder.load(), REG, "web")
    assert p.line == folder.line(REG, "web: example.org")


def test_no_contact_and_no_notes(folder: Folder):
    folder.edit(
        REG, "  notes: Look for your embassy's duty phone on your foreign ministry's website.\n", ""
    )
    k = folder.load()
    p = folder.problem(k, REG, "notes")
    assert p.line == folder.line(REG, "id: embassy-finder") and "embassy-finder" in p.message
    assert "embassy-finder" not in k.referrals


def test_urgent_must_be_true_or_false(folder: Folder):
    folder.edit(REG, "urgent: false", "urgent: sometimes")
    p = folder.problem(folder.load(), REG, "urgent")
    assert p.line == folder.line(REG, "urgent: sometimes")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("languages: [en, fr]", "languages: [en, french]", "languages"),
        ("nationalities: [IN, NP, LK]", "nationalities: [IN, NP, XK]", "nationalities"),
        (
            "countries: [RU]\n  nationalities: [IN",
            "countries: RU\n  nationalities: [IN",
            "countries",
        ),
    ],
)
def test_codes_are_checked(folder: Folder, old: str, new: str, field: str):
    folder.edit(REG, old, new)
    p = folder.problem(folder.load(), REG, field)
    assert p.line == folder.line(REG, new.split("\n")[0])


def test_invalid_entry_is_left_out_but_guides_citing_it_are_not_blamed(folder: Folder):
    folder.edit(REG, "kind: legal", "kind: lawyer")
    k = folder.load()
    assert "legal-aid-ngo" not in k.referrals
    assert [p for p in k.problems if p.path == VISA] == []


def test_every_problem_of_an_entry_is_reported_at_once(folder: Folder):
    folder.edit(REG, "kind: legal", "kind: lawyer")
    folder.edit(REG, "email: help@example.org", "email: nope")
    folder.edit(REG, "source: https://example.org/legal-aid", "source: nope")
    found = {(p.field, p.line) for p in unexpected(folder.load())}
    assert found == {
        ("kind", folder.line(REG, "kind: lawyer")),
        ("email", folder.line(REG, "email: nope")),
        ("source", folder.line(REG, "source: nope")),
    }


def test_non_yaml_file_in_referrals_is_a_warning(folder: Folder):
    folder.write("referrals/README.md", "how to add a contact")
    p = folder.problem(folder.load(), "referrals/README.md", None)
    assert p.severity == "warning"


def test_a_risky_contact_needs_its_warning_and_is_never_urgent(folder: Folder):
    """A contact dangerous to hold on a checked phone goes out only with its warning."""
    folder.edit(REG, "  source: https://example.org/legal-aid\n",
                "  source: https://example.org/legal-aid\n  risky: true\n")
    k = folder.load()
    p = folder.problem(k, REG, "risky")
    assert p.line == folder.line(REG, "id: legal-aid-ngo") and "warning" in p.message
    assert "legal-aid-ngo" not in k.referrals
    folder.edit(REG, "  risky: true\n", "  risky: true\n  warning: Keep it off a checked phone.\n")
    folder.edit(REG, "urgent: false\n  source: https://example.org/legal-aid",
                "urgent: true\n  source: https://example.org/legal-aid")
    p = folder.problem(folder.load(), REG, "urgent")
    assert "never urgent" in p.message


def test_a_risky_contact_with_its_warning_is_read(folder: Folder):
    folder.edit(REG, "  source: https://example.org/legal-aid\n",
                "  source: https://example.org/legal-aid\n  risky: true\n"
                "  warning: Keep it off a checked phone.\n")
    k = folder.load()
    assert k.referrals["legal-aid-ngo"].risky and not k.referrals["iom-ru-hotline"].risky
