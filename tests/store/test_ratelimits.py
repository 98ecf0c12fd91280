"""The rate limit's storage in the database: every replica on one database counts the same
messages (SQLite and PostgreSQL), and DELETE and purge reach the counts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.channels.twilio.ratelimit import RateLimiter
from bot.config import Settings
from bot.errors import ConfigError
from bot.store import Conversations, Database
from bot.store.ratelimits import DatabaseRateStorage, MemoryRateStorage
from bot.store.ratestorage import LimitsRateStorage, rate_storage


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


# BOT_RATE_LIMIT_STORAGE: which storage, and the one on a `limits` server.

def test_the_storage_setting_chooses_where_counts_live(db: Database) -> None:
    shared = "memory://" if db.is_sqlite else "database"
    assert type(rate_storage(None, db)) is {"memory://": MemoryRateStorage,
                                             "database": DatabaseRateStorage}[shared]
    assert type(rate_storage("database", db)) is DatabaseRateStorage
    assert type(rate_storage("memory://", db)) is MemoryRateStorage
    with pytest.raises(ConfigError, match="pip install redis") as caught:
        rate_storage("redis://:s3cret@127.0.0.1:6379", db)  # no Redis client installed
    assert "s3cret" not in str(caught.value)
    with pytest.raises(ConfigError, match="not a storage"):
        Settings(_env_file=None, rate_limit_storage="memcached://127.0.0.1:11211")


def test_two_replicas_on_one_limits_server_share_the_limit() -> None:
    """Two replicas' storages on one `limits` server (its in-memory storage stands in for
    Redis here): limits, warnings and redeliveries are shared."""
    a, b = LimitsRateStorage("memory://"), LimitsRateStorage("memory://")
    b.storage = a.storage  # the same server
    one, two = RateLimiter(3, 100, storage=a), RateLimiter(3, 100, storage=b)
    assert [one.check("s", "m1"), two.check("s", "m2"), one.check("s", "m3")] == ["ok"] * 3
    assert two.check("s", "m1") == "ok"  # Twilio retrying m1 at the other replica
    assert two.check("s", "m4") == "limited"
    assert [one.check("s", "m5"), two.check("s", "m6")] == ["silent", "silent"]
    assert one.check("t", "m1") == "ok"  # another sender counts apart
    alone = RateLimiter(3, 100, storage=LimitsRateStorage("memory://"))
    assert alone.check("s", "m7") == "ok"  # another server knows nothing of these


def test_limits_and_memory_storage_give_the_same_verdicts() -> None:
    verdicts = []
    for storage in (MemoryRateStorage(), LimitsRateStorage("memory://")):
        limiter = RateLimiter(3, 5, storage=storage)
        verdicts.append([limiter.check("s", f"m{i % 4}") for i in range(9)])
    # m0-m2 counted, m3 over the limit; redeliveries of m0-m2 pass, m3 gets silence
    assert verdicts[0] == verdicts[1] == ["ok"] * 3 + ["limited"] + ["ok"] * 3 + ["silent", "ok"]
