"""The shipped knowledge folder is deployable as it is."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import Knowledge
from bot.text.patterns import EMAIL, PHONE, URL

STARTER = Path(__file__).resolve().parents[2] / "knowledge"
URGENT_TEN = {
    "pressured-to-sign", "detained-rights", "passport-taken", "papers-to-sign",
    "contact-your-embassy", "missing-relative", "is-it-trafficking", "fake-offers",
    "keeping-evidence", "phone-safety",
}
TRANSLATED_URGENT = ("fr", "ar", "sw", "ne", "hi", "ru", "pt")


@pytest.fixture(scope="module")
def starter() -> Knowledge:
    return load_knowledge(STARTER, today=date(2026, 11, 29))


def test_no_errors_or_warnings(starter: Knowledge) -> None:
    assert [str(p) for p in starter.problems] == []


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
        assert (doc.referrals, doc.countries, doc.sources) == (
            original.referrals, original.countries, original.sources,
        ), doc.path
        assert "native" in doc.reviewed_by, doc.path


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


RESEARCH = STARTER.parent.parent / "shared" / "research" / "facts.md"


@pytest.mark.skipif(not RESEARCH.exists(), reason="the research brief is not beside the checkout")
def test_every_contact_is_printed_in_the_research_brief(starter: Knowledge) -> None:
    # The brief quotes each contact as its source printed it; a typo here would send
    # a frightened person to a wrong number.
    brief = RESEARCH.read_text(encoding="utf-8")
    for entry in starter.referrals.values():
        for value in (entry.phone, entry.whatsapp, entry.email):
            if value:
                assert value in brief, f"{entry.id}: {value!r} is not in the research brief"
        if entry.web:
            bare = re.sub(r"^https?://(www\.)?", "", entry.web).rstrip("/")
            assert bare in brief, f"{entry.id}: {entry.web!r} is not in the research brief"
