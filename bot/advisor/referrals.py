"""Which contacts an answer carries: verbatim registry entries, most relevant first.

A ``risky`` entry (one that is dangerous to hold on a phone a commander or recruiter
may check: a surrender line, a group that helps people leave a unit) comes only
with the guide the answer is about (``main_guide``: the one most of its cited
passages come from), never as the referral of a guide quoted in passing, and
always with its warning (the registry requires one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.advisor.audience import ANY, for_anyone, serves
from bot.advisor.models import Citation, ReferralOut
from bot.advisor.places import by_place, domestic_only, embassy_line
from bot.index.view import IndexView
from bot.knowledge.models import Referral


def referral_out(entry: Referral, lang: str | None = None) -> ReferralOut:
    """The entry as shown to a user answered in ``lang``: its name and warning translated
    when the registry has them (the English kept beside), else in English."""
    name, warning = entry.name_in(lang), entry.warning_in(lang)
    return ReferralOut(
        id=entry.id,
        name=name,
        name_en=entry.name if name != entry.name else None,
        warning_en=entry.warning if warning != entry.warning else None,
        kind=entry.kind,
        phone=entry.phone,
        whatsapp=entry.whatsapp,
        telegram=entry.telegram,
        email=entry.email,
        web=entry.web,
        hours=entry.hours,
        notes=entry.notes,
        warning=warning,
        verified_on=entry.verified_on.isoformat(),
        tested_on=entry.tested_on.isoformat() if entry.tested_on else None,
    )


def urgent_contacts(
    view: IndexView, country: str | None, nationality: str | None, lang: str | None = None
) -> list[ReferralOut]:
    """Urgent registry entries that can help here and now: where the user is, for
    their citizenship when known; those made for the user's nationality first."""
    fitting = [
        r
        for r in view.referrals.values()
        if r.urgent and serves(r.countries, country) and serves(r.nationalities, nationality)
    ]
    # The deploying NGO's own line (kind: own) first, then those for the user's nationality.
    fitting.sort(key=lambda r: (r.kind != "own",
                                0 if nationality and nationality in r.nationalities else 1))
    # The person's own embassy line, when the registry has one they can call from there.
    embassy = embassy_line(list(view.referrals.values()), nationality)
    if embassy is not None and embassy not in fitting and (
            country is None or country in embassy.countries or not domestic_only(embassy)):
        fitting.append(embassy)
    return [referral_out(r, lang) for r in fitting]


def own_lines(view: IndexView, country: str | None) -> list[str]:
    """The deploying NGO's own lines (``kind: own``) that can be reached where the user is:
    offered in every answer, right after the urgent contacts."""
    return [r.id for r in view.referrals.values()
            if r.kind == "own" and r.contacts() and serves(r.countries, country)]


def main_guide(citations: Sequence[Citation]) -> tuple[str, str] | None:
    """The guide an answer is about: the one most of its citations are from (the first
    cited of those tied)."""
    counts = Counter((c.doc_id, c.lang) for c in citations)
    return max(counts, key=lambda k: counts[k]) if counts else None


def select_referrals(
    view: IndexView, citations: Sequence[Citation], first: Sequence[ReferralOut], limit: int,
    nationality: str | None = None, country: str | None = None, lang: str | None = None,
) -> list[ReferralOut]:
    """``first`` (urgent contacts), then the cited documents' referrals in their order;
    not those made for another nationality than the user's. When the nationality is not
    known, a contact made for one nationality only comes with a cited guide written for
    that nationality (a general guide that lists Kenya's, Sri Lanka's and India's lines
    must not hand them to a Nigerian parent). A risky contact comes only from the
    referrals of the answer's main guide. Arranged for where the person is
    (``country``: ``places.by_place``); names and warnings in ``lang`` when translated."""
    ids: list[str] = [r.id for r in first] + own_lines(view, None)
    cited_for: set[str] = set()
    main = main_guide(citations)
    own_topic: set[str] = set(view.documents[main].referrals) if main else set()
    for citation in citations:
        doc = view.documents[(citation.doc_id, citation.lang)]
        ids.extend(doc.referrals)
        cited_for.update(n for n in doc.nationalities if n != ANY)
    chosen = [view.referrals[i] for i in dict.fromkeys(ids) if i in view.referrals]
    chosen = [r for r in chosen if not r.risky or r.id in own_topic]
    if nationality is None:
        chosen = [r for r in chosen
                  if for_anyone(r.nationalities) or cited_for & set(r.nationalities)]
    else:
        chosen = [r for r in chosen if serves(r.nationalities, nationality)]
    chosen = by_place(chosen, list(view.referrals.values()), country, nationality)
    return [referral_out(r, lang) for r in chosen[:limit]]
