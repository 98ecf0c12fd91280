"""Which storage the per-sender rate limit uses (``BOT_RATE_LIMIT_STORAGE``), and the one
on a ``limits`` server.

    memory://            this process's memory (``MemoryRateStorage``)
    database             the conversation store (``DatabaseRateStorage``): every replica
                         on one database counts the same messages
    redis://host:6379    a storage URI of the ``limits`` package with a moving window
    mongodb://...        (Redis, Valkey, MongoDB; not Memcached): shared by every replica
                         that uses the same server; its client library is installed
                         separately (``pip install redis``)
    unset                memory on SQLite (one process serves it), the database otherwise

``LimitsRateStorage`` keeps a sender's messages as a moving window of the
``limits`` storage (key ``bot-rate/<sender>``), the messages already counted as
counters (``bot-rate-seen/<sender>/<MessageSid>``) and the last warning's time as a
counter (``bot-rate-warned/<sender>``), all expiring after the longest window (a
day). Senders are the hashed identities, never phone numbers. A ``limits`` storage
offers no lock across replicas: two messages of one sender at the same instant on
two replicas may both be counted before either sees the other (one message more
than the limit, at most one per replica); the database storage has no such gap.
It measures time with the wall clock (``time.time``), as replicas must.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from bot.errors import ConfigError
from bot.store.db import Database
from bot.store.ratelimits import DatabaseRateStorage, MemoryRateStorage, RateBook, RateStorage

log = logging.getLogger(__name__)
MAX_EVENTS = 100_000  # a sender's messages kept in the moving window (far above any limit)


def rate_storage(uri: str | None, db: Database) -> RateStorage:
    """The storage ``BOT_RATE_LIMIT_STORAGE`` names (see the module's table)."""
    if uri is None:
        uri = "memory://" if db.is_sqlite else "database"
    if uri == "database":
        return DatabaseRateStorage(db)
    if uri == "memory://":
        if not db.is_sqlite:
            log.warning("rate limits are counted in this process's memory: replicas on one "
                        "database each allow the full limit (BOT_RATE_LIMIT_STORAGE)")
        return MemoryRateStorage()
    return LimitsRateStorage(uri)


def _redacted(uri: str) -> str:
    try:
        return make_url(uri).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy can read: show the scheme only
        return uri.split("://", 1)[0] + "://..."


class _LimitsBook:
    def __init__(self, storage: object, sender: str, longest: float) -> None:
        self._s = storage
        self._sender = sender
        self._expiry = max(1, math.ceil(longest))
        self._key = f"bot-rate/{sender}"

    def count(self, since: float) -> int:
        window = max(1, math.ceil(time.time() - since))
        return int(self._s.get_moving_window(self._key, MAX_EVENTS, window)[1])  # type: ignore[attr-defined]

    def seen(self, message_sid: str) -> bool:
        if not message_sid:
            return False
        return int(self._s.get(f"bot-rate-seen/{self._sender}/{message_sid}")) > 0  # type: ignore[attr-defined]

    def add(self, message_sid: str, at: float) -> None:
        self._s.acquire_entry(self._key, MAX_EVENTS, self._expiry)  # type: ignore[attr-defined]
        if message_sid:
            self._s.incr(f"bot-rate-seen/{self._sender}/{message_sid}",  # type: ignore[attr-defined]
                         self._expiry)

    def warned_at(self) -> float | None:
        at = int(self._s.get(f"bot-rate-warned/{self._sender}"))  # type: ignore[attr-defined]
        return float(at) if at > 0 else None

    def warn(self, at: float) -> None:
        key = f"bot-rate-warned/{self._sender}"
        self._s.clear(key)  # type: ignore[attr-defined]
        self._s.incr(key, self._expiry, amount=int(at))  # type: ignore[attr-defined]


class LimitsRateStorage:
    """Counts on a ``limits`` storage server that replicas share."""

    def __init__(self, uri: str) -> None:
        from limits.errors import ConfigurationError
        from limits.storage import MovingWindowSupport, storage_from_string

        try:
            storage = storage_from_string(uri)
        except ConfigurationError as exc:
            raise ConfigError(f"BOT_RATE_LIMIT_STORAGE={_redacted(uri)}: {exc} (the "
                              "storage's client library may need installing, such as "
                              "`pip install redis`)") from None
        if not isinstance(storage, MovingWindowSupport):
            raise ConfigError(f"BOT_RATE_LIMIT_STORAGE={_redacted(uri)}: this storage "
                              "cannot keep a moving window; use Redis, Valkey, MongoDB or "
                              "`database`")
        self.storage = storage
        self._lock = threading.Lock()  # one process's checks, one at a time

    @contextmanager
    def hold(self, sender: str, since: float) -> Iterator[RateBook]:
        with self._lock:
            yield _LimitsBook(self.storage, sender, time.time() - since)
