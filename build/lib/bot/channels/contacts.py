"""Which referral contacts to give outside an answer: for CONTACTS, and when something fails.

Read from the served index's registry when it is loaded, else straight from the
knowledge folder's registry, so a reply with contacts never depends on the
embedding model, the index or the database.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.advisor.models import ReferralOut
from bot.advisor.referrals import referral_out
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
