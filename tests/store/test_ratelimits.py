"""The rate limit's storage in the database: every replica on one database counts the same
messages (SQLite and PostgreSQL), and DELETE and purge reach the counts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.channels.twilio.ratelimit import RateLimiter
from bot.store import Conversations, Database
from bot.store.ratelimits import DatabaseRateStorage, MemoryRateStorage


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.close()


def test_two_replicas_share_one_limit(database_url: str) -> None:
    """Two processes' limiters, each with its own engine, on one database: 6 a minute in all."""
    replicas = [Database(database_url) for _ in range(2)]
    limiters = [RateLimiter(6, 100, storage=DatabaseRateStorage(d)) for d in replicas]
    start = threading.Barrier(20)

    def deliver(i: int) -> str:
        start.wait()
        return limiters[i % 2].check("sender", f"SM{i}")

    try:
        with ThreadPoolExecutor(20) as pool:
            verdicts = list(pool.map(deliver, range(20)))
    finally:
        for d in replicas:
            d.close()
    assert verdicts.count("ok") == 6
    assert verdicts.count("limited") == 1  # one polite reply, then silence
    assert verdicts.count("silent") == 13


def test_windows_warnings_and_redeliveries_are_shared(db: Database) -> None:
    now = [1_800_000_000.0]
    a = RateLimiter(2, 3, clock=lambda: now[0], storage=DatabaseRateStorage(db))
    b = RateLimiter(2, 3, clock=lambda: now[0], storage=DatabaseRateStorage(db))
    assert [a.check("s", "m1"), b.check("s", "m2")] == ["ok", "ok"]
    assert b.check("s", "m1") == "ok"  # Twilio retrying m1 at the other replica
    assert [a.check("s", "m3"), b.check("s", "m4")] == ["limited", "silent"]
    now[0] += 61
    assert a.check("s", "m5") == "ok"  # a new minute, third of the day
    assert b.check("s", "m6") == "silent"  # the day's limit: warned already within the day
    assert a.check("t", "m1") == "ok"  # another sender counts apart
    now[0] += 86_401
    assert b.check("s", "m7") == "ok"  # a new day: yesterday's counts are dropped


def test_memory_and_database_storage_give_the_same_verdicts(db: Database) -> None:
    now = [1_800_000_000.0]
    verdicts = []
    for storage in (MemoryRateStorage(), DatabaseRateStorage(db)):
        limiter = RateLimiter(3, 5, clock=lambda: now[0], storage=storage)
        seen = []
        for i in range(12):
            now[0] += 7.5
            seen.append(limiter.check("s", f"m{i % 9}"))
        verdicts.append(seen)
    assert verdicts[0] == verdicts[1]


def test_erasure_removes_the_counts(db: Database) -> None:
    limiter = RateLimiter(6, 100, storage=DatabaseRateStorage(db))
    limiter.check("me", "m1")
    limiter.check("other", "m2")
    store = Conversations(db)
    assert store.export("me")["rate_events"]
    store.delete_sender("me")
    assert store.export("me")["rate_events"] == []
    assert store.export("other")["rate_events"]


def test_a_database_that_fails_lets_the_message_through(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    limiter = RateLimiter(1, 1, storage=DatabaseRateStorage(db))
    db.engine.dispose()
    (tmp_path / "bot.sqlite3").unlink()
    (tmp_path / "bot.sqlite3").mkdir()  # the file is gone: every query fails
    assert limiter.check("s", "m1") == "ok"
    assert limiter.check("s", "m2") == "ok"
