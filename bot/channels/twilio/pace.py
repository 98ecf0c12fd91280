"""How often one sender is answered: the policy, over a small storage interface.

    every message     counts toward a flood limit (BOT_RATE_FLOOD_PER_MINUTE), checked
                      before any work; beyond it nothing is done but commands, and
                      the sender hears it once
    answered question counts toward BOT_RATE_LIMIT_PER_MINUTE and _PER_DAY. Fragments
                      joined into one question count once; greetings, menus and
                      commands do not count
    over the limit    a question is still answered when it is urgent (the advisor's own
                      flag) or is the first message after a pause (BOT_RATE_PAUSE_MINUTES);
                      otherwise one polite reply per window, then silence

Commands are recognised before any of this (``InboundHandler``) and always
answered. A redelivery of a message already counted (Twilio
retrying with the same MessageSid) does not count again.

The counts live behind ``RateStore``: in memory for one process
(``MemoryRateStore``), or, for several replicas, ``SharedRateStore`` over the
storage ``BOT_RATE_LIMIT_STORAGE`` names (the database or a ``limits`` server;
``bot/store/ratestorage.py``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.store.ratelimits import RateStorage, answers_book

Verdict = Literal["ok", "limited", "silent"]
log = logging.getLogger(__name__)
MESSAGE, ANSWER, WARNED = "message", "answer", "warned"
MINUTE, DAY = 60.0, 86400.0


class RateStore(Protocol):
    """Timestamped events per sender (wall-clock seconds), by kind."""

    def add(self, key: str, kind: str, at: float, ident: str = "") -> bool:
        """Record an event; False (nothing recorded) when ``ident`` was recorded before."""
        ...

    def count(self, key: str, kind: str, since: float) -> int:
        """Events of ``kind`` at or after ``since``."""
        ...

    def last(self, key: str, kind: str, before: float | None = None) -> float | None:
        """The time of the latest event of ``kind`` (before ``before``, when given)."""
        ...


class MemoryRateStore:
    """One process's counts; a day of events per sender at most, idle senders forgotten."""

    def __init__(self, keep: float = DAY, max_keys: int = 100_000) -> None:
        self._events: dict[tuple[str, str], deque[tuple[float, str]]] = {}
        self._lock = threading.Lock()
        self._keep = keep
        self._max_keys = max_keys

    def add(self, key: str, kind: str, at: float, ident: str = "") -> bool:
        with self._lock:
            events = self._events.setdefault((key, kind), deque())
            while events and at - events[0][0] > self._keep:
                events.popleft()
            if ident and any(i == ident for _t, i in events):
                return False
            events.append((at, ident))
            if len(self._events) > self._max_keys:
                self._forget(at)
            return True

    def count(self, key: str, kind: str, since: float) -> int:
        with self._lock:
            return sum(1 for t, _i in self._events.get((key, kind), ()) if t >= since)

    def last(self, key: str, kind: str, before: float | None = None) -> float | None:
        with self._lock:
            times = [t for t, _i in self._events.get((key, kind), ())
                     if before is None or t < before]
            return max(times, default=None)

    def _forget(self, now: float) -> None:
        for k in [k for k, v in self._events.items() if not v or now - v[-1][0] > self._keep]:
            del self._events[k]


class SharedRateStore:
    """The events on a storage several replicas share (``bot/store/ratelimits.py``): a
    sender's messages in the sender's book (its warning is the time of the last warning),
    their answered questions in a second book (``answers_book``). Only ``WARNED`` is ever
    asked for its ``last``."""

    def __init__(self, storage: RateStorage, keep: float = DAY) -> None:
        self.storage = storage
        self._keep = keep

    @staticmethod
    def _book(key: str, kind: str) -> str:
        return answers_book(key) if kind == ANSWER else key

    def add(self, key: str, kind: str, at: float, ident: str = "") -> bool:
        with self.storage.hold(self._book(key, kind), since=time.time() - self._keep) as book:
            if kind == WARNED:
                book.warn(at)
                return True
            if ident and book.seen(ident):
                return False
            book.add(ident, at)
            return True

    def count(self, key: str, kind: str, since: float) -> int:
        with self.storage.hold(self._book(key, kind), since=time.time() - self._keep) as book:
            return book.count(since)

    def last(self, key: str, kind: str, before: float | None = None) -> float | None:
        if kind != WARNED:
            raise ValueError("a shared rate store keeps the time of the last warning only")
        with self.storage.hold(self._book(key, kind), since=time.time() - self._keep) as book:
            return book.warned_at()


@dataclass(frozen=True)
class Arrival:
    verdict: Verdict  # for the flood limit
    after_pause: bool  # the first message after a pause: it is answered whatever the counts


class Pace:
    def __init__(self, store: RateStore, *, per_minute: int, per_day: int,
                 flood_per_minute: int, pause: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.limits = ((MINUTE, per_minute), (DAY, per_day))
        self.flood = flood_per_minute
        self.pause = pause
        self.clock = clock

    def arrive(self, key: str, ident: str = "") -> Arrival:
        """A message came in: counted once per ``ident``; is it a flood? When the counts
        cannot be read the message is let through (never refuse a user for our fault)."""
        try:
            return self._arrive(key, ident)
        except Exception as exc:  # noqa: BLE001 - a database that is down: let it through
            log.error("the rate limit could not be checked: %s", type(exc).__name__)
            return Arrival("ok", False)

    def _arrive(self, key: str, ident: str) -> Arrival:
        now = self.clock()
        after_pause = self.store.count(key, MESSAGE, now - self.pause) == 0
        new = self.store.add(key, MESSAGE, now, ident)
        if not new or self.store.count(key, MESSAGE, now - MINUTE) <= self.flood:
            return Arrival("ok", after_pause)
        return Arrival(self._warn_once(key, now, MINUTE), after_pause)

    def may_answer(self, key: str, after_pause: bool = False) -> Verdict:
        """May one more question be answered now (urgent ones always are)?"""
        if after_pause:
            return "ok"
        try:
            return self._may_answer(key)
        except Exception as exc:  # noqa: BLE001 - as in ``arrive``
            log.error("the rate limit could not be checked: %s", type(exc).__name__)
            return "ok"

    def _may_answer(self, key: str) -> Verdict:
        now = self.clock()
        for window, limit in self.limits:
            if self.store.count(key, ANSWER, now - window) >= limit:
                return self._warn_once(key, now, window)
        return "ok"

    def answered(self, key: str) -> None:
        try:
            self.store.add(key, ANSWER, self.clock())
        except Exception as exc:  # noqa: BLE001 - as in ``arrive``
            log.error("an answer could not be counted: %s", type(exc).__name__)

    def _warn_once(self, key: str, now: float, window: float) -> Verdict:
        warned = self.store.last(key, WARNED)
        if warned is not None and now - warned <= window:
            return "silent"
        self.store.add(key, WARNED, now)
        return "limited"
