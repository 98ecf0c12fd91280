"""Per-sender rate limit, checked before any work is done.

A sender over the limit gets one polite reply per window, then silence: a
flood never costs more than a message. A redelivery of a message already
counted (same MessageSid: Twilio retrying) does not count again; the store's
dedupe answers it.

The counts live in a ``RateStorage`` (``bot/store/ratelimits.py``): in memory
(one process, tests), in the database, or on a ``limits`` server, chosen by
``BOT_RATE_LIMIT_STORAGE`` (``bot/store/ratestorage.py``) so that every replica
counts the same messages (issue 17).
"""

from __future__ import annotations

import logging
import time
from typing import Literal

from bot.store.ratelimits import MemoryRateStorage, RateStorage

Verdict = Literal["ok", "limited", "silent"]
log = logging.getLogger(__name__)


class RateLimiter:
    def __init__(self, per_minute: int, per_day: int, clock=time.time,  # type: ignore[no-untyped-def]
                 storage: RateStorage | None = None) -> None:
        self._windows = ((60.0, per_minute), (86400.0, per_day))
        self._storage: RateStorage = storage or MemoryRateStorage()
        self._clock = clock

    def check(self, key: str, message_id: str = "") -> Verdict:
        """The verdict; "ok" when the counts cannot be read (the message is handled, and
        a database that is down gets the user the general contacts further on)."""
        try:
            return self._check(key, message_id)
        except Exception as exc:  # noqa: BLE001 - never refuse a user for our own fault
            log.error("the rate limit could not be checked: %s", type(exc).__name__)
            return "ok"

    def _check(self, key: str, message_id: str) -> Verdict:
        now = self._clock()
        with self._storage.hold(key, since=now - self._windows[-1][0]) as book:
            if message_id and book.seen(message_id):
                return "ok"
            for window, limit in self._windows:
                if book.count(since=now - window) >= limit:
                    warned = book.warned_at()
                    if warned is not None and now - warned <= window:
                        return "silent"
                    book.warn(now)
                    return "limited"
            book.add(message_id, now)
            return "ok"
