"""Whose guidance and whose contacts: a user's nationality leaves out what is written for others.

The same rule says where a contact helps: a registry entry's ``countries`` serve
a place as its ``nationalities`` serve a citizen (``serves(r.countries, where)``).

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


def serves(values: Iterable[str], wanted: str | None) -> bool:
    """True when something written for ``values`` (nationalities, or countries) applies to
    ``wanted`` (a nationality, or a place); none written, ``ANY`` or nothing wanted: yes."""
    written = tuple(values) or (ANY,)
    return wanted is None or ANY in written or wanted in written


def for_anyone(nationalities: Iterable[str]) -> bool:
    """True when something is written for every nationality (``ANY``, or none named)."""
    return ANY in (tuple(nationalities) or (ANY,))


def for_nationality(items: Sequence[T], nationality: str | None,
                    nationalities_of: Callable[[T], Iterable[str]]) -> list[T]:
    """The items that apply to the nationality, in their order."""
    return [item for item in items if serves(nationalities_of(item), nationality)]
