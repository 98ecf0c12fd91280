"""CONTACTS gives the contacts for the person (issue 13): the shipped registry, read straight
from the knowledge folder (no model, no index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.advisor.audience import serves
from bot.advisor.runtime import Runtime
from bot.channels.contacts import ContactBook
from bot.channels.render.contacts import reach_rank

ROOT = Path(__file__).resolve().parents[2]


class Loading:
    def current(self) -> Runtime | None:
        return None


@pytest.fixture(scope="module")
def book() -> ContactBook:
    return ContactBook(Loading(), ROOT / "knowledge")


@pytest.mark.parametrize("nationality", [None, "KE", "NP", "IN", "LK", "UZ", "CU", "GH", "TG"])
def test_never_another_nationalitys_line_and_an_urgent_one_first(book: ContactBook,
                                                                  nationality: str | None) -> None:
    registry = book._referrals()
    shown = book.for_person(location="RU", nationality=nationality)
    assert shown and registry[shown[0].id].urgent
    assert all(serves(registry[r.id].nationalities, nationality) for r in shown)
    assert all(reach_rank(r) < 3 for r in shown)  # every one can be reached


def test_a_kenyan_in_russia_gets_a_number_to_call_before_a_website(book: ContactBook) -> None:
    """The issue's case: a Kenyan number got only a Kenyan agent-check website."""
    shown = book.for_person(location="RU", nationality="KE")
    ranks = [reach_rank(r) for r in shown]
    assert ranks == sorted(ranks) and ranks[0] == 0
    assert "ke-diaspora-affairs" in [r.id for r in shown]
    assert "ke-nea-agent-check" not in [r.id for r in shown]  # for people still in Kenya
    # ...unless the last answer was about checking an agent: then it comes, after the calls.
    related = book.for_person(location="RU", nationality="KE", related=["ke-nea-agent-check"])
    assert [r.id for r in related][-1] == "ke-nea-agent-check"


def test_an_unknown_nationality_gets_no_single_countrys_line(book: ContactBook) -> None:
    """A parent whose number says nothing got Kenya's and Sri Lanka's lines from the last
    answer's contacts: one country's line is only for that country's citizens."""
    registry = book._referrals()
    related = ["ke-diaspora-affairs", "lk-embassy-moscow", "unhcr-russia-hotline"]
    shown = book.for_person(location="RU", nationality=None, related=related)
    assert "unhcr-russia-hotline" in [r.id for r in shown]
    assert all("ANY" in (registry[r.id].nationalities or ("ANY",)) for r in shown)


@pytest.mark.parametrize(("number", "country"), [
    ("whatsapp:+2348031234567", "NG"), ("+201001234567", "EG"), ("+5352123456", "CU"),
    ("+254712345678", "KE"), ("+79161234567", "RU"),
])
def test_calling_codes_of_the_countries_our_guides_are_for(number: str, country: str) -> None:
    from bot.channels.twilio.country import country_of

    assert country_of(number) == country


def test_an_answer_carries_one_countrys_line_only_with_that_countrys_guide(
        book: ContactBook) -> None:
    """A general guide listing Kenya's and Sri Lanka's lines cited for a user whose
    nationality is unknown: those lines stay out; with the Kenya guide cited, Kenya's comes."""
    from types import SimpleNamespace

    from bot.advisor.models import Citation
    from bot.advisor.referrals import select_referrals

    general = SimpleNamespace(referrals=("ke-diaspora-affairs", "lk-embassy-moscow",
                                         "unhcr-russia-hotline"), nationalities=("ANY",))
    kenya = SimpleNamespace(referrals=("ke-diaspora-affairs",), nationalities=("KE",))
    view = SimpleNamespace(referrals=book._referrals(),
                           documents={("families-abroad", "en"): general,
                                      ("country-kenya", "en"): kenya})

    def cite(doc_id: str, n: int) -> Citation:
        return Citation(n=n, doc_id=doc_id, lang="en", title=doc_id, section="s",
                        path=f"guides/en/{doc_id}.md", url=None, quote="q")

    alone = select_referrals(view, [cite("families-abroad", 1)], [], 5)  # type: ignore[arg-type]
    assert [r.id for r in alone] == ["unhcr-russia-hotline"]
    both = select_referrals(view, [cite("families-abroad", 1), cite("country-kenya", 2)], [],
                            5)  # type: ignore[arg-type]
    assert "ke-diaspora-affairs" in [r.id for r in both]
    assert "lk-embassy-moscow" not in [r.id for r in both]
    told = select_referrals(view, [cite("families-abroad", 1)], [], 5, "LK")  # type: ignore[arg-type]
    assert "lk-embassy-moscow" in [r.id for r in told]


def test_the_ngos_own_line_is_offered_first(book: ContactBook) -> None:
    """An NGO that declares its own hotline (kind: own) has it offered first: in CONTACTS,
    and in every answer right after the urgent contacts."""
    from dataclasses import replace
    from types import SimpleNamespace

    from bot.advisor.referrals import select_referrals, urgent_contacts

    registry = dict(book._referrals())
    own = replace(registry["unhcr-russia-hotline"], id="our-line", name="Our own hotline",
                  kind="own", urgent=False, phone="+7 900 000-00-00")
    registry["our-line"] = own
    ours = ContactBook(Loading(), ROOT / "knowledge")
    ours._referrals = lambda: registry  # type: ignore[method-assign]
    for nationality in (None, "KE"):
        assert ours.for_person(location="RU", nationality=nationality)[0].id == "our-line"

    general = SimpleNamespace(referrals=("legal-aid-ngo",), nationalities=("ANY",))
    view = SimpleNamespace(referrals=registry, documents={("x", "en"): general})
    from bot.advisor.models import Citation

    cite = Citation(n=1, doc_id="x", lang="en", title="x", section="s", path="p", url=None,
                    quote="q")
    routine = select_referrals(view, [cite], [], 5)  # type: ignore[arg-type]
    assert routine[0].id == "our-line"
    first = urgent_contacts(view, "RU", None)  # type: ignore[arg-type]
    urgent = select_referrals(view, [cite], first, 5)  # type: ignore[arg-type]
    assert [r.id for r in urgent][: len(first) + 1] == [r.id for r in first] + ["our-line"]


def _view(book: ContactBook, doc_referrals: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from bot.advisor.models import Citation

    doc = SimpleNamespace(referrals=doc_referrals, nationalities=("ANY",))
    view = SimpleNamespace(referrals=book._referrals(), documents={("d", "en"): doc})
    cite = Citation(n=1, doc_id="d", lang="en", title="d", section="s", path="p", url=None,
                    quote="q")
    return view, [cite]


@pytest.mark.parametrize(("country", "first"), [
    ("GH", "gh-foreign-ministry"), ("NP", "np-consular-services")])
def test_an_answer_to_a_family_at_home_offers_their_countrys_line_first(
        book: ContactBook, country: str, first: str) -> None:
    """c14, c31: answers to mothers in Kumasi and Kathmandu listed only lines in Russia."""
    from bot.advisor.referrals import select_referrals

    view, cites = _view(book, ("embassy-finder", "icrc-family-links", "iom-ru-hotline"))
    shown = [r.id for r in select_referrals(view, cites, [], 3, country, country)]
    assert shown[0] == first
    assert "iom-ru-hotline" not in shown  # a free-phone only callable inside Russia


def test_the_registrys_embassy_line_replaces_the_generic_one_first_after_the_urgent(
        book: ContactBook) -> None:
    """c12, c07: "find your embassy's number" was sent while the registry holds India's and
    Sri Lanka's lines; in an urgent answer the embassy comes inside the urgent contacts."""
    from bot.advisor.referrals import select_referrals, urgent_contacts

    view, cites = _view(book, ("icrc-family-links", "embassy-finder", "unhcr-russia-hotline"))
    shown = [r.id for r in select_referrals(view, cites, [], 3, "IN", "RU")]
    assert shown[0] == "in-embassy-moscow"  # first: no urgent contact in this answer
    assert "embassy-finder" not in shown
    first = urgent_contacts(view, "RU", "LK")  # type: ignore[arg-type]
    assert [r.id for r in first] == ["unhcr-russia-hotline", "lk-embassy-moscow"]
    urgent = [r.id for r in select_referrals(view, cites, first, 3, "LK", "RU")]
    assert urgent[:2] == ["unhcr-russia-hotline", "lk-embassy-moscow"]
    assert "embassy-finder" not in urgent


def test_a_line_that_may_no_longer_work_gives_way_to_one_that_does(book: ContactBook) -> None:
    """The 2013 IOM line ("the number may no longer work") was in every CONTACTS list."""
    shown = [r.id for r in book.for_person(location="RU", nationality=None,
                                           related=["iom-ru-hotline"])]
    assert "unhcr-russia-hotline" in shown and "iom-ru-hotline" not in shown


RISKY = ("conscientious-objectors", "get-lost-idite-lesom", "ua-i-want-to-live")


def test_contacts_dangerous_to_hold_are_marked_and_carry_their_warning(book: ContactBook) -> None:
    """The shipped entries whose warning says to keep them off a checked phone."""
    registry = book._referrals()
    for rid in RISKY:
        assert registry[rid].risky and registry[rid].warning and not registry[rid].urgent
    assert not registry["unhcr-russia-hotline"].risky


def test_a_risky_contact_comes_only_with_the_guide_the_answer_is_about(
        book: ContactBook) -> None:
    """A passport answer that quotes the discharge guide in passing got the conscientious
    objectors' and 'Get Lost' contacts as filler; with the discharge guide as its subject
    they come, with their warning."""
    from types import SimpleNamespace

    from bot.advisor.models import Citation
    from bot.advisor.referrals import select_referrals
    from bot.channels.render.contacts import format_contact
    from bot.knowledge.loader import load_knowledge

    docs = {(d.id, d.lang): d for d in load_knowledge(ROOT / "knowledge").documents}
    view = SimpleNamespace(referrals=book._referrals(), documents=docs)

    def cite(doc_id: str, n: int) -> Citation:
        return Citation(n=n, doc_id=doc_id, lang="en", title=doc_id, section="s",
                        path=f"guides/en/{doc_id}.md", url=None, quote="q")

    discharge = docs[("contract-length-discharge", "en")]
    assert set(RISKY[:2]) <= set(discharge.referrals)
    passing = [cite("passport-taken", 1), cite("passport-taken", 2),
               cite("contract-length-discharge", 3)]
    shown = select_referrals(view, passing, [], 10)  # type: ignore[arg-type]
    assert shown and not {r.id for r in shown} & set(RISKY)
    about = [cite("contract-length-discharge", 1), cite("contract-length-discharge", 2),
             cite("passport-taken", 3)]
    shown = select_referrals(view, about, [], 10)  # type: ignore[arg-type]
    risky = [r for r in shown if r.id in RISKY]
    assert [r.id for r in risky] == ["conscientious-objectors"]  # Get Lost is for Russians
    from bot.advisor.strings import load_strings
    strings = load_strings(ROOT / "prompts" / "strings")
    for layout in ("line", "block", "reach"):
        assert risky[0].warning and risky[0].warning in format_contact(
            risky[0], layout, strings, "en")  # type: ignore[arg-type]


def test_contacts_never_adds_a_risky_line_the_last_answer_did_not_give(
        book: ContactBook) -> None:
    """Someone who said they are in Ukraine got the surrender line from CONTACTS as 'a line
    one can call where one is'; it comes only when the last answer's own guide gave it."""
    for location in ("RU", "UA"):
        for nationality in (None, "KE", "RU"):
            shown = book.for_person(location=location, nationality=nationality)
            assert not {r.id for r in shown} & set(RISKY)
    assert not {r.id for r in book.for_country("UA", limit=10)} & set(RISKY)
    given = book.for_person(location="UA", nationality=None, related=["ua-i-want-to-live"])
    assert "ua-i-want-to-live" in [r.id for r in given]
