"""The editorial and safety rules of `bot knowledge check`: each fails on a bad file,
naming the file, the line and the field."""

from __future__ import annotations

import pytest
from knowledge_folder import Folder, unexpected

from bot.knowledge.translations import body_version, stale_translations

REG = "referrals/registry.yaml"
VISA = "guides/en/student-visa.md"
VISA_FR = "guides/fr/student-visa.md"
DETAINED = "guides/en/detained.md"


# -- referrals ----------------------------------------------------------------------------


def test_urgent_referral_without_a_way_to_reach_it_is_an_error(folder: Folder):
    entry = "  languages: [en, ru]\n  urgent: false"
    folder.edit(REG, entry, entry.replace("false", "true"))
    k = folder.load()
    p = folder.problem(k, REG, "urgent")
    assert p.severity == "error" and p.line > folder.line(REG, "id: embassy-finder")
    assert folder.read(REG).split("\n")[p.line - 1].strip() == "urgent: true"
    assert "reaches nobody" in p.message and "embassy-finder" in p.message
    assert "embassy-finder" not in k.referrals


def test_urgent_referral_with_only_a_website_is_an_error(folder: Folder):
    folder.edit(REG, 'phone: "+7 800 333-00-16"', "phone: null")
    p = folder.problem(folder.load(), REG, "urgent")
    assert "phone, whatsapp, telegram or email" in p.message


def test_urgent_referral_reachable_on_telegram_alone_is_fine(folder: Folder):
    folder.edit(REG, 'phone: "+7 800 333-00-16"', "phone: null\n  telegram: \"@example_help\"")
    k = folder.load()
    assert unexpected(k) == []
    assert k.referrals["iom-ru-hotline"].telegram == "@example_help"
    assert k.referrals["iom-ru-hotline"].reachable


@pytest.mark.parametrize(
    ("old", "new", "field", "says"),
    [
        ('phone: "+7 800 333-00-16"', 'phone: "call us"', "phone", "not a phone number"),
        ('whatsapp: "+7 900 000 00 00"', 'whatsapp: "+7 900 ABC"', "whatsapp", "E.164"),
        ("email: help@example.org", "email: help@example.org\n  telegram: example", "telegram",
         "Telegram"),
        ("verified_on: 2026-11-01\n  notes: free",
         "verified_on: 2026-11-01\n  tested_on: 2099-01-01\n  notes: free", "tested_on", "future"),
    ],
)
def test_contact_fields_are_checked(folder: Folder, old: str, new: str, field: str, says: str):
    folder.edit(REG, old, new)
    p = folder.problem(folder.load(), REG, field)
    assert says in p.message and p.severity == "error"


def test_warning_and_tested_on_are_read(folder: Folder):
    folder.edit(REG, "notes: free of charge inside Russia",
                "notes: free of charge inside Russia\n  warning: Blocked in Russia without a VPN."
                "\n  tested_on: 2026-11-20")
    hotline = folder.load().referrals["iom-ru-hotline"]
    assert hotline.warning == "Blocked in Russia without a VPN."
    assert hotline.tested_on is not None and hotline.tested_on.isoformat() == "2026-11-20"


def test_a_long_warning_is_an_error(folder: Folder):
    folder.edit(REG, "notes: free of charge inside Russia",
                "notes: free\n  warning: " + "too long " * 30)
    p = folder.problem(folder.load(), REG, "warning")
    assert "160" in p.message and p.line == folder.line(REG, "warning:")


def test_own_line_is_a_kind(folder: Folder):
    folder.edit(REG, "kind: legal", "kind: own")
    assert folder.load().referrals["legal-aid-ngo"].kind == "own"


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u2066", "\ufeff"])
def test_invisible_or_bidi_characters_in_a_referral_are_an_error(folder: Folder, char: str):
    folder.edit(REG, "name: Counter-trafficking", f"name: Counter{char}-trafficking")
    p = folder.problem(folder.load(), REG, "name")
    assert f"U+{ord(char):04X}" in p.message and p.line == folder.line(REG, "name: Counter")


def test_invisible_characters_in_front_matter_are_an_error(folder: Folder):
    folder.edit(VISA, "title: Your student visa", "title: Your student\u200b visa")
    p = folder.problem(folder.load(), VISA, "title")
    assert "U+200B" in p.message


def test_front_matter_values_are_nfkc_normalised(folder: Folder):
    folder.edit(REG, 'phone: "+7 800 333-00-16"', 'phone: "+7 ８00 333-00-16"')  # full-width 8
    assert folder.load().referrals["iom-ru-hotline"].phone == "+7 800 333-00-16"


# -- guides: roles, nationalities, review state ---------------------------------------------


def test_first_steps_role_is_read(folder: Folder):
    doc = next(d for d in folder.load().documents if d.path == DETAINED)
    assert doc.role == "first-steps"


def test_two_first_steps_guides_in_one_language_is_an_error(folder: Folder):
    folder.edit(VISA, "topics: [visa", "role: first-steps\ntopics: [visa")
    p = folder.problem(folder.load(), VISA, "role")
    assert p.severity == "error" and DETAINED in p.message
    assert p.line == folder.line(VISA, "role: first-steps")


def test_unknown_role_is_an_error(folder: Folder):
    folder.edit(VISA, "topics: [visa", "role: first-step\ntopics: [visa")
    p = folder.problem(folder.load(), VISA, "role")
    assert "first-steps" in p.message


def test_a_guide_may_say_it_is_for_before_or_after_signing(folder: Folder):
    folder.edit(VISA, "topics: [visa", "condition: after-signing\ntopics: [visa")
    doc = next(d for d in folder.load().documents if d.path == VISA)
    assert doc.condition == "after-signing"


def test_an_unknown_condition_is_an_error_naming_its_line(folder: Folder):
    folder.edit(VISA, "topics: [visa", "condition: signed\ntopics: [visa")
    p = folder.problem(folder.load(), VISA, "condition")
    assert p.severity == "error" and "before-signing" in p.message
    assert p.line == folder.line(VISA, "condition: signed")


def test_a_translation_for_the_other_side_of_a_signature_is_an_error(folder: Folder):
    folder.edit(VISA_FR, "role: first-steps", "role: first-steps\ncondition: before-signing")
    p = folder.problem(folder.load(), VISA_FR, "condition")
    assert p.severity == "error" and VISA in p.message
    assert p.line == folder.line(VISA_FR, "condition: before-signing")


def test_no_first_steps_guide_is_a_warning(folder: Folder):
    folder.edit(DETAINED, "role: first-steps\n", "")
    folder.edit(VISA_FR, "role: first-steps", "")
    k = folder.load()
    p = folder.problem(k, "guides", "role")
    assert p.severity == "warning" and "no guide has role: first-steps" in p.message


def test_a_language_without_first_steps_is_a_warning(folder: Folder):
    folder.edit(VISA_FR, "role: first-steps", "")
    p = folder.problem(folder.load(), "guides", "role")
    assert p.severity == "warning" and "'fr'" in p.message and "English first steps" in p.message


def test_nationalities_and_review_state(folder: Folder):
    folder.edit(VISA, "topics: [visa",
                "nationalities: [KE, UG]\nawaiting_review: [legal]\ntopics: [visa")
    doc = next(d for d in folder.load().documents if d.path == VISA)
    assert doc.nationalities == ("KE", "UG") and doc.awaiting_review == ("legal",)


def test_nationalities_default_to_any(folder: Folder):
    doc = next(d for d in folder.load().documents if d.path == VISA)
    assert doc.nationalities == ("ANY",) and doc.awaiting_review == ()


def test_unknown_reviewer_is_an_error(folder: Folder):
    folder.edit(VISA, "topics: [visa", "awaiting_review: [lawyer]\ntopics: [visa")
    p = folder.problem(folder.load(), VISA, "awaiting_review")
    assert "legal or native-speaker" in p.message


# -- translations in step ---------------------------------------------------------------------


def test_translation_of_changed_english_is_listed_as_stale(folder: Folder):
    assert stale_translations(folder.load().documents) == []
    folder.edit(VISA, "through the migration office.", "through the migration office in person.")
    k = folder.load()
    stale = stale_translations(k.documents)
    assert [(t.path, o.path) for t, o in stale] == [(VISA_FR, VISA)]
    p = folder.problem(k, VISA_FR, "translated_from")
    english = next(d for d in k.documents if d.path == VISA)
    assert p.severity == "warning" and english.body_version in p.message
    assert p.line == folder.line(VISA_FR, "translated_from:")


def test_front_matter_edits_do_not_make_a_translation_stale(folder: Folder):
    folder.edit(VISA, "reviewed_on: 2026-11-01", "reviewed_on: 2026-11-02")
    assert stale_translations(folder.load().documents) == []


def test_missing_translated_from_is_a_warning_with_the_version_to_use(folder: Folder):
    folder.edit(VISA_FR, "translated_from: 1e2fc3e4a961\n", "")
    k = folder.load()
    p = folder.problem(k, VISA_FR, "translated_from")
    english = next(d for d in k.documents if d.path == VISA)
    assert english.body_version in p.message


def test_body_version_ignores_trailing_spaces():
    assert body_version("## A\nText.  \n") == body_version("## A\nText.\n\n")
    assert body_version("## A\nText.") != body_version("## A\nOther text.")


# -- the body: answer first, no contacts ---------------------------------------------------------


def test_a_section_opening_with_an_announcement_is_a_warning(folder: Folder):
    folder.edit(DETAINED, "You may ask for a lawyer.", "Our advice:\n\nYou may ask for a lawyer.")
    p = folder.problem(folder.load(), DETAINED, "body")
    assert p.severity == "warning" and "Our advice:" in p.message
    assert p.line == folder.line(DETAINED, "Our advice:")


def test_a_short_first_sentence_is_a_warning(folder: Folder):
    folder.edit(DETAINED, "You may ask for a lawyer.", "Act quickly. You may ask for a lawyer.")
    p = folder.problem(folder.load(), DETAINED, "body")
    assert "2 words" in p.message and p.line == folder.line(DETAINED, "Act quickly.")


def test_a_later_announcing_sentence_is_a_warning(folder: Folder):
    old = "You may ask for a lawyer. You do not have to sign a contract to get one."
    folder.edit(DETAINED, old,
                "You may ask for a lawyer at any time while you are held. Our advice:\n\n"
                "- Ask for one at once.")
    p = folder.problem(folder.load(), DETAINED, "body")
    assert "only announces" in p.message


@pytest.mark.parametrize(
    "contact", ["+7 495 123-45-67", "8-800-333-00-16", "8 (800) 333 00 16", "help@example.org"]
)
def test_contacts_in_a_guide_body_are_an_error(folder: Folder, contact: str):
    folder.edit(DETAINED, "You may ask for a lawyer.", f"You may ask for a lawyer on {contact}.")
    k = folder.load()
    p = folder.problem(k, DETAINED, "body")
    assert p.severity == "error" and "registry" in p.message
    assert p.line == folder.line(DETAINED, contact)
    assert DETAINED not in {d.path for d in k.documents}


@pytest.mark.parametrize(
    "text", ["On 2024-06-26 the talks began.", "Law 115-FZ, Article 15, applies since 2002.",
             "Some 1,500 people were recruited in 2023 and 2024."]
)
def test_dates_laws_and_figures_are_not_contacts(folder: Folder, text: str):
    folder.edit(DETAINED, "You may ask for a lawyer.", f"You may ask for a lawyer. {text}")
    assert [p for p in folder.load().problems if p.path == DETAINED] == []


# -- files ------------------------------------------------------------------------------------


def test_a_link_out_of_the_folder_is_refused(folder: Folder, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(folder.read(VISA).replace("student-visa-extension", "leaked"), "utf-8")
    folder.path("guides/en/leak.md").symlink_to(secret)
    outside = tmp_path / "contacts.yaml"
    outside.write_text(folder.read(REG).replace("id: ", "id: x-"), "utf-8")
    folder.path("referrals/outside.yaml").symlink_to(outside)
    k = folder.load()
    for rel in ("guides/en/leak.md", "referrals/outside.yaml"):
        p = folder.problem(k, rel, None)
        assert p.severity == "error" and "outside the knowledge folder" in p.message
    assert "leaked" not in {d.id for d in k.documents}
    assert not any(r.startswith("x-") for r in k.referrals)


def test_a_link_inside_the_folder_is_read(folder: Folder):
    folder.path("guides/en/alias.md").symlink_to(folder.path(DETAINED))
    k = folder.load()
    p = folder.problem(k, DETAINED, "id")  # the same id twice, not a refusal
    assert "already used by guides/en/alias.md" in p.message


def test_a_joiner_inside_a_nepali_word_is_allowed_in_front_matter(folder: Folder):
    title = "title: नेपाली र\u094d\u200dयाली"
    folder.edit(VISA, "title: Your student visa", title)
    doc = next(d for d in folder.load().documents if d.path == VISA)
    assert doc.title.startswith("नेपाली र\u094d\u200dयाली")


def test_a_joiner_at_the_edge_of_a_front_matter_value_is_an_error(folder: Folder):
    folder.edit(VISA, "title: Your student visa", "title: Your student\u200d visa")
    assert "U+200D" in folder.problem(folder.load(), VISA, "title").message


@pytest.mark.parametrize("printed", ["011 2 44 11 46", "8-800-333-00-16"])
def test_a_phone_not_in_international_form_is_a_warning(folder: Folder, printed: str):
    """The Sri Lanka defence hotline was sent as "011 2 44 11 46": no one in Russia can dial
    it. The check names the file, the line and the field; the entry still loads."""
    folder.edit(REG, 'phone: "+7 800 333-00-16"', f'phone: "{printed}"')
    k = folder.load()
    p = folder.problem(k, REG, "phone")
    assert p.severity == "warning" and "international" in p.message and "+" in p.message
    assert folder.read(REG).split("\n")[p.line - 1].strip() == f'phone: "{printed}"'
    assert k.referrals["iom-ru-hotline"].phone == printed


def test_every_shipped_phone_is_in_international_form():
    """The shipped registry: every phone and WhatsApp number starts with '+'."""
    from datetime import date
    from pathlib import Path

    from bot.knowledge.registry import load_registry

    problems: list = []
    root = Path(__file__).resolve().parents[2] / "knowledge"
    registry = load_registry(root, date.today(), problems)
    assert [str(p) for p in problems] == []
    numbers = [n for r in registry.referrals.values() for n in (r.phone, r.whatsapp) if n]
    assert numbers and all(n.startswith("+") for n in numbers), numbers
