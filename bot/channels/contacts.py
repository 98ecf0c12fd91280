"""Which referral contacts to give outside an answer: for CONTACTS, and when something fails.

CONTACTS (``for_person``) gives the contacts of the user's last situation (the
ones its answer gave), the urgent ones where the user is, and the lines made
for their nationality; never one made for another nationality or for a place
that has nothing to do with them. Those one can call or message come first,
then those to write to, then websites; an entry with no way to reach it comes
only when the last answer named it and it is the embassy entry (whose name says
how to find one): a name and opening hours are nothing to call. Someone outside
Russia (who wrote where they are) gets their own country's lines first, a home
ministry by name too, and no line callable only inside Russia (``bot.advisor.places``).
A risky entry (dangerous to hold on a phone a commander checks) comes only when the
last answer's own guide gave it, and, as everywhere, with its warning.

Read from the served index's registry when it is loaded, else straight from the
knowledge folder's registry, so a reply with contacts never depends on the
embedding model, the index or the database.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.advisor.audience import ANY, for_anyone, serves
from bot.advisor.models import ReferralOut
from bot.advisor.places import (
    HOME,  # the country the service is about
    abroad,
    by_place,
    home_line,
)
from bot.advisor.referrals import referral_out
from bot.channels.render.contacts import reach_rank
from bot.knowledge.models import Problem, Referral
from bot.knowledge.registry import load_registry

if TYPE_CHECKING:
    from bot.channels.context import RuntimeSource

log = logging.getLogger(__name__)


class ContactBook:
    def __init__(self, runtime: RuntimeSource, knowledge_dir: Path) -> None:
        self._runtime = runtime
        self._knowledge_dir = knowledge_dir
        self._registry: Mapping[str, Referral] | None = None

    def _referrals(self) -> Mapping[str, Referral]:
        try:
            runtime = self._runtime.current()
            served = runtime.watcher.view.referrals if runtime is not None else None
        except Exception:  # noqa: BLE001 - the index is optional here
            served = None
        if served:
            return served
        if self._registry is None:
            problems: list[Problem] = []
            try:
                self._registry = load_registry(self._knowledge_dir, date.today(), problems)\
                    .referrals
            except Exception as exc:  # noqa: BLE001 - no registry: replies carry no contacts
                log.error("the referral registry cannot be read: %s", type(exc).__name__)
                self._registry = {}
        return self._registry

    def general(self, limit: int = 2, lang: str | None = None) -> list[ReferralOut]:
        urgent = [r for r in self._referrals().values() if r.urgent and not r.risky]
        return [referral_out(r, lang) for r in urgent[:limit]]

    def for_country(self, country: str | None, limit: int = 3,
                    lang: str | None = None) -> list[ReferralOut]:
        """Urgent contacts for the country, then others there that can be reached."""
        refs = [r for r in self._referrals().values() if not r.risky]
        if country:
            here = [r for r in refs if country in r.countries]
            ranked = [r for r in here if r.urgent] + [
                r for r in here if not r.urgent and r.contacts()
            ]
            if ranked:
                return [referral_out(r, lang) for r in ranked[:limit]]
        return self.general(limit, lang)

    def for_person(self, *, location: str | None, nationality: str | None,
                   related: Sequence[str] = (), limit: int = 4,
                   lang: str | None = None) -> list[ReferralOut]:
        """CONTACTS: for the situation (``related``: the last answer's contacts), where
        the user is (Russia when unknown) and whose citizen they are; names and warnings
        in ``lang`` where the registry translates them."""
        where = location or HOME
        away = abroad(where)
        registry = list(self._referrals().values())
        chosen = []
        for r in registry:
            if not serves(r.nationalities, nationality):
                continue
            if r.risky and r.id not in related:
                continue  # dangerous to hold: only when the last answer's own guide gave it
            if nationality is None and not for_anyone(r.nationalities):
                continue  # one country's line, and we do not know the user's country
            reach = reach_rank(referral_out(r))
            here = serves(r.countries, where)
            mine = nationality is not None and nationality in r.nationalities
            # A line of one's own country: one to call from anywhere, or one where one is
            # (at home: also its embassy in Russia, when it can be called from abroad).
            home = home_line(r, where, nationality) if away else (
                mine and (here or (nationality in r.countries and reach == 0)))
            # Anyone's line where one is, that one can call or message now.
            callable_here = here and ANY in r.nationalities and reach == 0
            own = r.kind == "own" and here
            if r.id in related or (here and r.urgent) or home or callable_here or own:
                chosen.append(r)
        order = {rid: i for i, rid in enumerate(related)}

        def rank(r: Referral) -> tuple[int, int, int, int, int]:
            return (0 if r.kind == "own" else 1, 0 if r.urgent else 1,
                    reach_rank(referral_out(r)),
                    0 if nationality and nationality in r.nationalities else 1,
                    order.get(r.id, len(order)))

        chosen.sort(key=rank)
        reachable = [r for r in chosen if r.contacts()]
        # With no way to reach it: the embassy entry, whose name says how to find one, and
        # at home one's own ministry, whose name says whom to turn to.
        named = [r for r in chosen if not r.contacts() and (
            (r.id in related and r.kind == "embassy")
            or (away and nationality in r.nationalities and where in r.countries))]
        shown = by_place([*reachable, *named], registry, where, nationality)
        return [referral_out(r, lang) for r in shown[:limit]]
