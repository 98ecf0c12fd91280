"""Where the per-sender rate limit keeps its counts: in memory, or in the shared database.

The policy (how many, how often, what to reply) is the Twilio channel's
(``channels/twilio/ratelimit.py``); this is only its storage, behind one small
interface. ``hold(sender, since)`` gives the sender's ``RateBook`` (the messages
counted since a time, and when the sender was last warned) held exclusively until
the block ends, so that counting and adding are one step:

    with storage.hold(sender, since=now - 86400) as book:
        if book.count(since=now - 60) < limit:
            book.add(message_sid, now)

``MemoryRateStorage`` is one process's (tests, a single SQLite service);
``LimitsRateStorage`` (``ratestorage.py``) keeps them on a server of the ``limits``
package (Redis, Memcached, MongoDB) that replicas share;
``DatabaseRateStorage`` is shared by every replica on one database: the sender's
rows are read and written in one transaction under an advisory lock on
PostgreSQL (a lock in this process on SQLite, which serves one process).
Times are seconds since the epoch (wall clock: replicas share it, not a
monotonic clock).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.db import Database
from bot.store.locks import hold_in, local_lock
from bot.store.models import RateEvent, RateWarning

MAX_MEMORY_SENDERS = 100_000  # forget idle senders rather than grow forever


def answers_book(sender_id: str) -> str:
    """The book that counts a sender's answered questions beside the one that counts their
    messages (``bot/channels/twilio/pace.py``); erased with the sender."""
    return ("a" + sender_id)[:64]


class RateBook(Protocol):
    """One sender's counts, held exclusively."""

    def count(self, since: float) -> int:
        """How many messages were counted since a time (at or after ``hold``'s ``since``)."""

    def seen(self, message_sid: str) -> bool:
        """Whether this message was counted already (Twilio retrying it)."""

    def add(self, message_sid: str, at: float) -> None: ...

    def warned_at(self) -> float | None:
        """When the sender was last told they were over the limit."""

    def warn(self, at: float) -> None: ...


class RateStorage(Protocol):
    def hold(self, sender: str, since: float) -> AbstractContextManager[RateBook]:
        """The sender's book, with what is older than ``since`` dropped, held exclusively."""


class _MemoryBook:
    def __init__(self, events: deque[tuple[float, str]], warned: dict[str, float],
                 sender: str) -> None:
        self._events, self._warned, self._sender = events, warned, sender

    def count(self, since: float) -> int:
        return sum(1 for t, _ in self._events if t >= since)

    def seen(self, message_sid: str) -> bool:
        return any(m == message_sid for _, m in self._events)

    def add(self, message_sid: str, at: float) -> None:
        self._events.append((at, message_sid))

    def warned_at(self) -> float | None:
        return self._warned.get(self._sender)

    def warn(self, at: float) -> None:
        self._warned[self._sender] = at


class MemoryRateStorage:
    """This process's counts (lost at a restart; not shared by replicas)."""

    def __init__(self) -> None:
        self._events: dict[str, deque[tuple[float, str]]] = {}
        self._warned: dict[str, float] = {}
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, sender: str, since: float) -> Iterator[RateBook]:
        with self._lock:
            events = self._events.setdefault(sender, deque())
            while events and events[0][0] < since:
                events.popleft()
            yield _MemoryBook(events, self._warned, sender)
            if len(self._events) > MAX_MEMORY_SENDERS:
                self._forget_idle(since)

    def _forget_idle(self, since: float) -> None:
        for key in [k for k, v in self._events.items() if not v or v[-1][0] < since]:
            self._events.pop(key, None)
            self._warned.pop(key, None)


def _when(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC).replace(tzinfo=None)


def _seconds(when: datetime) -> float:
    return when.replace(tzinfo=UTC).timestamp()


class _DatabaseBook:
    def __init__(self, s: Session, sender: str, since: datetime) -> None:
        self._s, self._sender = s, sender
        s.execute(delete(RateEvent).where(RateEvent.sender_id == sender,
                                          RateEvent.created_at < since))
        rows = s.execute(select(RateEvent.created_at, RateEvent.message_sid)
                         .where(RateEvent.sender_id == sender)
                         .order_by(RateEvent.created_at, RateEvent.id)).all()
        self._events = [(_seconds(at), sid) for at, sid in rows]

    def count(self, since: float) -> int:
        return sum(1 for t, _ in self._events if t >= since)

    def seen(self, message_sid: str) -> bool:
        return any(m == message_sid for _, m in self._events)

    def add(self, message_sid: str, at: float) -> None:
        self._s.add(RateEvent(sender_id=self._sender, message_sid=message_sid[:64],
                              created_at=_when(at)))
        self._events.append((at, message_sid))

    def warned_at(self) -> float | None:
        row = self._s.get(RateWarning, self._sender)
        return _seconds(row.created_at) if row is not None else None

    def warn(self, at: float) -> None:
        row = self._s.get(RateWarning, self._sender)
        if row is None:
            self._s.add(RateWarning(sender_id=self._sender, created_at=_when(at)))
        else:
            row.created_at = _when(at)


class DatabaseRateStorage:
    """Counts in the database, shared by every replica that uses it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def hold(self, sender: str, since: float) -> Iterator[RateBook]:
        if self.db.is_sqlite:
            with local_lock("rate"), self.db.session() as s:  # one process: one lock
                yield _DatabaseBook(s, sender, _when(since))
            return
        with self.db.session() as s:
            hold_in(s, f"rate:{sender}")
            yield _DatabaseBook(s, sender, _when(since))
