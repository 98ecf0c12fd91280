"""Where a contact helps: the lines of the place the person is in, their own country's first.

A mother in Kumasi cannot call a Russian free-phone (8-800) and has no use for "your
embassy in Russia" when the registry holds Ghana's foreign ministry; a worker in
Moscow needs the lines in Russia first. So:

    outside Russia   the lines of their own country (made for their nationality, for
                     where they are or for anywhere) first, then the Red Cross tracing of
                     missing relatives (whoever writes from outside Russia is, as a rule,
                     the family of someone there), then the other lines one can use where
                     one is, and the lines in Russia last; lines callable only inside
                     Russia (a free-phone, a number not in international form) left out
    in Russia        the lines in Russia first (callers leave out home-only lines)

The registry's line for the person's embassy or consulate, when it has one with a way
to reach it, replaces the generic "find your embassy's number" entry. An entry whose
source is old and that nobody has tested may no longer work: it gives way to any line
that can be called now.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.advisor.audience import serves
from bot.knowledge.models import Referral

HOME = "RU"  # the country the service is about
GENERIC_EMBASSY = "embassy-finder"  # "find its number on your foreign ministry's website"
FAMILY_TRACING = "icrc-family-links"  # the Red Cross's tracing of missing relatives
STALE_AFTER_DAYS = 5 * 365  # a source this old, never tested: the line may be gone
# Russian free-phone numbers: free, and as a rule callable, only inside Russia.
_FREEPHONE = ("8800", "+7800")


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def domestic_only(r: Referral) -> bool:
    """A line one can call only inside its country: its phone is a Russian free-phone
    or is not written in international form, and it has no WhatsApp or Telegram."""
    phone = _digits(r.phone or "")
    if not phone or r.whatsapp or r.telegram:
        return False
    return phone.startswith(_FREEPHONE) or not phone.startswith("+")


def stale(r: Referral, today: date | None = None) -> bool:
    """Nobody tested it and its source is years old: it may no longer answer."""
    today = today or date.today()
    return r.tested_on is None and (today - r.verified_on).days > STALE_AFTER_DAYS


def abroad(where: str | None) -> bool:
    return where is not None and where != HOME


def home_line(r: Referral, where: str | None, nationality: str | None) -> bool:
    """A line of the person's own country they can use where they are."""
    if nationality is None or nationality not in r.nationalities:
        return False
    if serves(r.countries, where):
        return True
    return abroad(where) and bool(r.phone or r.whatsapp) and not domestic_only(r)


def embassy_line(referrals: Sequence[Referral], nationality: str | None) -> Referral | None:
    """The registry's embassy or consular line for this nationality that one can reach."""
    if nationality is None:
        return None
    return next((r for r in referrals if r.kind == "embassy" and nationality in r.nationalities
                 and r.reachable), None)


def by_place(chosen: Sequence[Referral], registry: Sequence[Referral], where: str | None,
             nationality: str | None, today: date | None = None) -> list[Referral]:
    """``chosen`` (most relevant first) arranged for where the person is: the embassy's own
    line instead of the generic one; abroad, home lines first, then the tracing of missing
    relatives, the lines for anywhere, the lines in Russia last and none callable only
    inside Russia; an old untested line only when no other can be called now."""
    out = list(dict.fromkeys(chosen))
    embassy = embassy_line(registry, nationality)
    if embassy is not None and any(r.id == GENERIC_EMBASSY for r in out):
        out = [r for r in out if r.id != GENERIC_EMBASSY]
        if embassy not in out:  # first after the urgent (and own) lines
            lead = next((i for i, r in enumerate(out) if not (r.urgent or r.kind == "own")),
                        len(out))
            out.insert(lead, embassy)
    if abroad(where):
        out = [r for r in out if not domestic_only(r)]
        homes = [r for r in registry if home_line(r, where, nationality)
                 and serves(r.countries, where)]
        tracing = [r for r in registry if r.id == FAMILY_TRACING]
        out = list(dict.fromkeys([*homes, *tracing, *out]))
        out.sort(key=lambda r: (r.kind != "own", not (home_line(r, where, nationality)
                                                      or where in r.countries),
                                r.id != FAMILY_TRACING, not serves(r.countries, where)))
    if any(r.phone or r.whatsapp for r in out if not stale(r, today)):
        out = [r for r in out if not stale(r, today)]
    return out
