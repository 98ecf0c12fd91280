"""Which referral contacts to give outside an answer: for CONTACTS, and when something fails.

Read from the served index's registry when it is loaded, else straight from the
knowledge folder's registry, so a reply with contacts never depends on the
embedding model, the index or the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from bot.advisor.models import ReferralOut
from bot.advisor.referrals import referral_out
from bot.advisor.strings import Strings
from bot.channels.twilio.format import sms_contact, whatsapp_contact
from bot.knowledge.models import Problem, Referral
from bot.knowledge.registry import load_registry

log = logging.getLogger(__name__)
Referrals = Callable[[], Mapping[str, Referral] | None]


class ContactBook:
    def __init__(self, served: Referrals, knowledge_dir: Path) -> None:
        self._served = served
        self._knowledge_dir = knowledge_dir
        self._registry: Mapping[str, Referral] | None = None

    def _referrals(self) -> Mapping[str, Referral]:
        try:
            served = self._served()
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

    def general(self, limit: int = 2) -> list[ReferralOut]:
        urgent = [r for r in self._referrals().values() if r.urgent]
        return [referral_out(r) for r in urgent[:limit]]

    def for_country(self, country: str | None, limit: int = 3) -> list[ReferralOut]:
        """Urgent contacts for the country, then others there that can be reached."""
        refs = list(self._referrals().values())
        if country:
            here = [r for r in refs if country in r.countries]
            ranked = [r for r in here if r.urgent] + [
                r for r in here if not r.urgent and r.contacts()
            ]
            if ranked:
                return [referral_out(r) for r in ranked[:limit]]
        return self.general(limit)


def contact_text(
    refs: list[ReferralOut], channel: str, strings: Strings, lang: str | None
) -> str:
    if channel == "whatsapp":
        return "\n\n".join(whatsapp_contact(r, strings, lang or "en") for r in refs)
    return "\n".join(sms_contact(r) for r in refs)
