"""Whose guidance and whose contacts: a user's nationality leaves out what is written for others.

A country guide (front matter ``nationalities: [KE]``) and a referral entry for
one nationality (``nationalities: [IN]``) help that country's citizens only;
shown to a Kenyan, the Indian embassy's line or the Nepali agent checks are
noise at best. ``ANY`` is for everyone. An unknown nationality keeps everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

ANY = "ANY"
T = TypeVar("T")


def serves(nationalities: Iterable[str], nationality: str | None) -> bool:
    """True when something written for ``nationalities`` applies to this nationality."""
    values = tuple(nationalities) or (ANY,)
    return nationality is None or ANY in values or nationality in values


def for_anyone(nationalities: Iterable[str]) -> bool:
    """True when something is written for every nationality (``ANY``, or none named)."""
    return ANY in (tuple(nationalities) or (ANY,))


def for_nationality(items: Sequence[T], nationality: str | None,
                    nationalities_of: Callable[[T], Iterable[str]]) -> list[T]:
    """The items that apply to the nationality, in their order."""
    return [item for item in items if serves(nationalities_of(item), nationality)]
