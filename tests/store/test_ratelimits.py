"""The rate limit's storage shared by replicas: every replica on one database (SQLite and
PostgreSQL) or one `limits` server counts the same messages, and DELETE reaches the counts.
The policy itself (floods, answers, pauses) is tested in tests/channels/test_pace.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.channels.twilio.pace import MemoryRateStore, Pace, SharedRateStore
from bot.config import Settings
from bot.errors import ConfigError
from bot.store import Conversations, Database
from bot.store.ratelimits import DatabaseRateStorage, MemoryRateStorage, RateStorage
from bot.store.ratestorage import LimitsRateStorage, rate_storage

NEVER = 10.0**9  # no pause long enough to count


def pace(storage: RateStorage | MemoryRateStore, per_minute: int = 100, per_day: int = 1000,
         flood: int = 100, clock=None) -> Pace:  # type: ignore[no-untyped-def]
    store = storage if isinstance(storage, MemoryRateStore) else SharedRateStore(storage)
    kwargs = {"clock": clock} if clock else {}
    return Pace(store, per_minute=per_minute, per_day=per_day, flood_per_minute=flood,
                pause=NEVER, **kwargs)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.close()


def test_two_replicas_never_let_a_flood_past_the_limit(database_url: str) -> None:
    """Two processes' counts, each with its own engine, on one database: never more than 6
    messages a minute in all. (A burst of 20 at the same instant may leave fewer through,
    and warn more than once: counting and warning are not one transaction.)"""
    replicas = [Database(database_url) for _ in range(2)]
    paces = [pace(DatabaseRateStorage(d), flood=6) for d in replicas]
    start = threading.Barrier(20)

    def deliver(i: int) -> str:
        start.wait()
        return paces[i % 2].arrive("sender", f"SM{i}").verdict

    try:
        with ThreadPoolExecutor(20) as pool:
            verdicts = list(pool.map(deliver, range(20)))
    finally:
        for d in replicas:
            d.close()
    assert verdicts.count("ok") <= 6
    assert verdicts.count("limited") >= 1
    assert verdicts.count("ok") + verdicts.count("limited") + verdicts.count("silent") == 20


def test_answers_warnings_and_redeliveries_are_shared(db: Database) -> None:
    now = [1_800_000_000.0]
    a = pace(DatabaseRateStorage(db), per_minute=2, per_day=3, clock=lambda: now[0])
    b = pace(DatabaseRateStorage(db), per_minute=2, per_day=3, clock=lambda: now[0])
    assert a.arrive("s", "m1").verdict == "ok"
    assert b.arrive("s", "m1").verdict == "ok"  # Twilio retrying m1 at the other replica
    a.answered("s")
    b.answered("s")
    assert [a.may_answer("s"), b.may_answer("s")] == ["limited", "silent"]
    now[0] += 61
    assert a.may_answer("s") == "ok"  # a new minute
    b.answered("s")  # the third of the day
    assert a.may_answer("s") == "silent"  # the day's limit: warned already within the day
    assert b.may_answer("t") == "ok"  # another sender counts apart


def test_memory_database_and_limits_storage_give_the_same_verdicts(db: Database) -> None:
    verdicts = []
    for storage in (MemoryRateStore(), MemoryRateStorage(), DatabaseRateStorage(db),
                    LimitsRateStorage("memory://")):
        p = pace(storage, flood=3)
        verdicts.append([p.arrive("s", f"m{i % 4}").verdict for i in range(9)])
    # m0-m2 counted, m3 over the limit; redeliveries pass (the store's dedupe drops them)
    expected = ["ok"] * 3 + ["limited"] + ["ok"] * 5
    assert verdicts == [expected] * 4


def test_erasure_removes_the_counts(db: Database) -> None:
    p = pace(DatabaseRateStorage(db))
    p.arrive("me", "m1")
    p.answered("me")
    p.arrive("other", "m2")
    store = Conversations(db)
    assert len(store.export("me")["rate_events"]) == 2  # the message and the answer
    store.delete_sender("me")
    assert store.export("me")["rate_events"] == []
    assert store.export("other")["rate_events"]


def test_a_database_that_fails_lets_the_message_through(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    p = pace(DatabaseRateStorage(db), per_minute=1, per_day=1, flood=1)
    db.engine.dispose()
    (tmp_path / "bot.sqlite3").unlink()
    (tmp_path / "bot.sqlite3").mkdir()  # the file is gone: every query fails
    assert p.arrive("s", "m1").verdict == "ok"
    assert p.arrive("s", "m2").verdict == "ok"
    assert p.may_answer("s") == "ok"


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
    one, two = pace(a, flood=3), pace(b, flood=3)
    verdicts = [one.arrive("s", "m1"), two.arrive("s", "m2"), one.arrive("s", "m3")]
    assert [v.verdict for v in verdicts] == ["ok"] * 3
    assert two.arrive("s", "m1").verdict == "ok"  # Twilio retrying m1 at the other replica
    assert two.arrive("s", "m4").verdict == "limited"
    assert [one.arrive("s", "m5").verdict, two.arrive("s", "m6").verdict] == ["silent"] * 2
    assert one.arrive("t", "m1").verdict == "ok"  # another sender counts apart
    alone = pace(LimitsRateStorage("memory://"), flood=3)
    assert alone.arrive("s", "m7").verdict == "ok"  # another server knows nothing of these
