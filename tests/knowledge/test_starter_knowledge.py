"""The shipped knowledge folder is deployable as it is."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import Knowledge, Problem
from bot.text.patterns import EMAIL, PHONE, URL

STARTER = Path(__file__).resolve().parents[2] / "knowledge"
TODAY = date(2026, 12, 7)
URGENT_TEN = {
    "pressured-to-sign", "detained-rights", "passport-taken", "papers-to-sign",
    "contact-your-embassy", "missing-relative", "is-it-trafficking", "fake-offers",
    "keeping-evidence", "phone-safety",
}
TRANSLATED_URGENT = ("fr", "ar", "sw", "ne", "hi", "ru", "pt")


@pytest.fixture(scope="module")
def starter() -> Knowledge:
    return load_knowledge(STARTER, today=TODAY)


def _about_a_translation(problem: Problem) -> bool:
    """A translation's own file, or a language that lacks its translated first steps."""
    parts = problem.path.split("/")
    if parts[0] == "guides" and len(parts) > 2:
        return parts[1] != "en"
    return problem.path == "guides" and problem.field == "role" and "'en'" not in problem.message


def test_no_errors_and_no_warnings_on_the_english_guides_or_the_registry(
    starter: Knowledge,
) -> None:
    assert [str(p) for p in starter.errors] == []
    # Translations may lag behind their English (translators redo them from it); the
    # English guidance and the contacts may not.
    assert [str(p) for p in starter.warnings if not _about_a_translation(p)] == []


def test_enough_english_guidance_and_every_document_in_french(starter: Knowledge) -> None:
    by_lang: dict[str, set[str]] = {}
    for doc in starter.documents:
        by_lang.setdefault(doc.lang, set()).add(doc.id)
    assert len(by_lang["en"]) >= 25
    assert by_lang["fr"] == by_lang["en"]
    for lang in TRANSLATED_URGENT:
        assert URGENT_TEN <= by_lang[lang], f"{lang} lacks {sorted(URGENT_TEN - by_lang[lang])}"


def test_translations_keep_front_matter_and_await_native_review(starter: Knowledge) -> None:
    english = {d.id: d for d in starter.documents if d.lang == "en"}
    for doc in starter.documents:
        if doc.lang == "en":
            continue
        original = english[doc.id]
        assert doc.countries == original.countries, doc.path
        if doc.translated_from == original.body_version:
            # In step with its English: the same contacts and the same sources.
            assert (doc.referrals, doc.sources) == (original.referrals, original.sources), (
                doc.path
            )
        assert "native-speaker" in doc.awaiting_review, doc.path


def test_english_guides_say_they_await_legal_review(starter: Knowledge) -> None:
    for doc in starter.documents:
        if doc.lang == "en" and "not yet reviewed by a lawyer" in doc.reviewed_by:
            assert "legal" in doc.awaiting_review, doc.path


def test_urgent_contacts_can_be_reached_from_russia_by_anyone(starter: Knowledge) -> None:
    urgent = [r for r in starter.referrals.values() if r.urgent]
    assert urgent
    for entry in urgent:
        # An urgent entry goes to everyone whose nationality is unknown: a line for one
        # nationality would reach the wrong people.
        assert entry.nationalities == ("ANY",), entry.id
        assert entry.phone or entry.whatsapp or entry.telegram or entry.email, entry.id
    assert any("RU" in r.countries and (r.phone or r.whatsapp) for r in urgent)


def test_the_first_steps_guide_goes_by_danger_and_lists_a_reachable_contact_first(
    starter: Knowledge,
) -> None:
    [guide] = [d for d in starter.published if d.lang == "en" and d.role == "first-steps"]
    first = starter.referrals[guide.referrals[0]]
    assert first.urgent and "RU" in first.countries, first.id
    headings = [
        line[3:].lower() for line in guide.body.splitlines() if line.startswith("## ")
    ]
    dangers = ["detain", "sign an army contract now", "locked in", "front", "hurt",
               "hurting yourself", "already signed"]
    at = [next(i for i, h in enumerate(headings) if word in h) for word in dangers]
    assert at == sorted(at), headings


def test_risks_reach_the_user_beside_the_contact(starter: Knowledge) -> None:
    # notes never go out on WhatsApp or SMS; a risk the user must know is a warning.
    surrender = starter.referrals["ua-i-want-to-live"]
    assert surrender.warning and not surrender.urgent
    for risk in ("blocked in russia", "surrender", "trial", "phone"):
        assert risk in surrender.warning.lower(), risk
    old = starter.referrals["iom-ru-hotline"]
    assert not old.urgent and old.warning and "2013" in old.warning


def test_every_contact_has_a_source_and_a_verification_date(starter: Knowledge) -> None:
    assert starter.referrals
    for entry in starter.referrals.values():
        assert re.match(r"https?://", entry.source), entry.id
        assert isinstance(entry.verified_on, date), entry.id
        assert entry.contacts() or (entry.notes and len(entry.notes) > 40), (
            f"{entry.id}: no contact and no explanation of how to find one"
        )


def test_guides_carry_no_contacts_of_their_own(starter: Knowledge) -> None:
    # Contacts live in the registry, where each has a source; a guide refers to them.
    for doc in starter.documents:
        found = [p.group(0) for p in (*EMAIL.finditer(doc.body), *URL.finditer(doc.body))]
        phones = (m.group(0) for m in PHONE.finditer(doc.body))
        found += [p for p in phones if sum(map(str.isdigit, p)) >= 7]
        assert found == [], (doc.path, found)


def test_every_document_cites_its_sources_and_referrals(starter: Knowledge) -> None:
    for doc in starter.documents:
        assert doc.sources, doc.path
        assert all(s.url and s.url.startswith("https://") for s in doc.sources), doc.path
        assert doc.referrals and set(doc.referrals) <= set(starter.referrals), doc.path


RESEARCH = STARTER.parent.parent / "shared" / "research"
BRIEFS = (RESEARCH / "facts.md", RESEARCH / "facts-2.md")


TRUNK = {"7": "8", "94": "0"}  # Russia's and Sri Lanka's trunk prefixes


def _national(value: str) -> set[str]:
    """The digits a national print of an international number would show."""
    digits = re.sub(r"\D", "", value)
    if not value.startswith("+"):
        return set()
    return {trunk + digits[len(code):] for code, trunk in TRUNK.items()
            if digits.startswith(code)}


@pytest.mark.skipif(
    not all(b.exists() for b in BRIEFS), reason="the research briefs are not beside the checkout"
)
def test_every_contact_is_printed_in_the_research_brief(starter: Knowledge) -> None:
    # The briefs quote each contact as its source printed it; a typo here would send
    # a frightened person to a wrong number.
    brief = "\n".join(b.read_text(encoding="utf-8") for b in BRIEFS)
    printed = {re.sub(r"\D", "", m) for m in re.findall(r"\+?\d[\d ()\-]{5,}\d", brief)}
    for entry in starter.referrals.values():
        for value in (entry.phone, entry.whatsapp, entry.telegram, entry.email):
            if value and value not in brief:
                # Written in international form from a printed national one: the same
                # digits once the country code gives way to the trunk prefix.
                assert _national(value) & printed, (
                    f"{entry.id}: {value!r} is not in the research brief")
        if entry.web:
            bare = re.sub(r"^https?://(www\.)?", "", entry.web).rstrip("/")
            assert bare in brief, f"{entry.id}: {entry.web!r} is not in the research brief"
