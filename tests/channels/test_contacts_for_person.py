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
