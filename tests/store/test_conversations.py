"""The conversation store on real SQLite: dedupe, erasure, export, hashing, sealing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.channels.twilio.pace import Pace, SharedRateStore
from bot.store import Conversations, Database, Outbox
from bot.store.conversations import GATHERING
from bot.store.identity import Identity
from bot.store.models import Escalation, Message, utcnow
from bot.store.ratelimits import DatabaseRateStorage
from bot.store.records import Records

KEY = "a-test-key-that-is-long-enough-0123456789"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.close()


def test_twenty_concurrent_inserts_of_one_sid_store_one(db: Database) -> None:
    store = Conversations(db)
    start = threading.Barrier(20)

    def insert(i: int) -> bool:
        start.wait()
        return store.record_inbound("SM1", "s" * 64, "sms", "+1", f"hello {i}", None, "answering")

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(insert, range(20)))
    assert results.count(True) == 1
    assert len(store.inbound_sids("s" * 64)) == 1


def test_sender_ids_are_keyed_hashes_of_the_bare_number() -> None:
    a, b = Identity(KEY), Identity(KEY + "-other")
    assert a.sender_id("whatsapp:+7 900 111-22-33") == a.sender_id("+79001112233")
    assert a.sender_id("+79001112233") != b.sender_id("+79001112233")
    assert "79001112233" not in a.sender_id("+79001112233")
    assert len(a.sender_id("+79001112233")) == 64


def test_sealed_addresses_open_only_with_the_same_key() -> None:
    sealed = Identity(KEY).seal("whatsapp:+79001112233")
    assert b"79001112233" not in sealed
    assert Identity(KEY).unseal(sealed) == "whatsapp:+79001112233"
    assert Identity(KEY + "-rotated").unseal(sealed) is None


def test_messages_are_stored_redacted(db: Database) -> None:
    store = Conversations(db)
    store.record_inbound("SM2", "s" * 64, "sms", "+1", "passport AB1234567, +79001112233",
                         None, "answering")
    [row] = store.export("s" * 64)["messages"]
    assert "AB1234567" not in row["body"] and "79001112233" not in row["body"]


def test_delete_sender_removes_every_row_and_export_is_empty(db: Database) -> None:
    store, outbox, identity = Conversations(db), Outbox(db), Identity(KEY)
    me, other = identity.sender_id("+79001112233"), identity.sender_id("+9779812345678")
    for who in (me, other):
        store.touch(who, "RU")
        store.record_inbound(f"SM-{who[:6]}", who, "whatsapp", "+1", "hi", b"x", "received")
        store.set_lang(who, "fr")
        store.set_last_question(who, "my visa")
        store.opt_out(who, "whatsapp")
        store.escalate(who, "whatsapp", "agent")
        outbox.enqueue(f"K-{who[:6]}", who, "whatsapp", "+1", identity.seal("+7"), ["a", "b"])
        Records(db).record_reply(who, "whatsapp", ["an answer"])
        Records(db).record_question("whatsapp", "my visa", sender_id=who)
        pace = Pace(SharedRateStore(DatabaseRateStorage(db)), per_minute=10, per_day=10,
                    flood_per_minute=1, pause=10.0**9)
        assert [pace.arrive(who, "SM-a").verdict, pace.arrive(who, "SM-b").verdict] == [
            "ok", "limited"]
    assert any(store.export(me).values())
    removed = store.delete_sender(me)
    assert removed >= 8
    assert all(rows == [] for rows in store.export(me).values())
    assert all(rows for rows in store.export(other).values())


def test_follow_up_context_is_only_the_recent_redacted_question(db: Database) -> None:
    store = Conversations(db)
    store.touch("s" * 64)
    store.set_last_question("s" * 64, "my passport AB1234567 was taken")
    prefs = store.touch("s" * 64)
    assert prefs.last_question == "my passport [document] was taken"


def test_claiming_a_waiting_message_has_one_winner(db: Database) -> None:
    store = Conversations(db)
    store.record_inbound("SM3", "s" * 64, "sms", "+1", "hi", None, "received")
    with ThreadPoolExecutor(10) as pool:
        wins = list(pool.map(lambda _: store.claim_inbound("SM3"), range(10)))
    assert wins.count(True) == 1
    assert store.reset_orphans() == 1
    assert [r.sid for r in store.waiting_inbound()] == ["SM3"]


def test_a_message_left_answering_by_a_dead_replica_is_answered_by_another(
    database_url: str,
) -> None:
    dead_db, alive_db = Database(database_url), Database(database_url)
    try:
        dead, alive = Conversations(dead_db), Conversations(alive_db)
        assert dead.record_inbound("SM1", "s", "sms", "+1", "help", b"x", "answering")
        assert alive.waiting_inbound() == []  # being answered, under its lease
        assert not alive.claim_inbound("SM1")
        with alive_db.session() as s:  # the dead process's lease runs out
            s.execute(update(Message).values(lease_until=utcnow() - timedelta(seconds=1)))
        assert [r.sid for r in alive.waiting_inbound()] == ["SM1"]
        assert alive.claim_inbound("SM1")
        assert not dead.claim_inbound("SM1")  # claimed once
        assert alive.renew() == 1 and dead.renew() == 0
        alive.finish_inbound("SM1")
        assert alive.waiting_inbound() == []
    finally:
        dead_db.close()
        alive_db.close()


def test_a_message_left_gathering_by_a_dead_replica_is_answered_by_another(
    database_url: str,
) -> None:
    """A replica killed while it waits out a fragment window: the message it acknowledged
    is answered once by another when the lease runs out (`make load` lost 11 of 1,432)."""
    dead_db, alive_db = Database(database_url), Database(database_url)
    try:
        dead, alive = Conversations(dead_db), Conversations(alive_db)
        assert dead.record_inbound("SM1", "s", "whatsapp", "+1", "my passport", b"x", GATHERING)
        assert alive.waiting_inbound() == []  # its window is being waited out, under a lease
        assert not alive.claim_inbound("SM1")
        assert dead.renew() == 1 and alive.renew() == 0
        with alive_db.session() as s:  # the dead process's lease runs out
            s.execute(update(Message).values(lease_until=utcnow() - timedelta(seconds=1)))
        assert [r.sid for r in alive.waiting_inbound()] == ["SM1"]
        assert alive.claim_inbound("SM1")
        assert dead.take_fragments("s", "SM1") is None  # claimed once: no second answer
        assert alive.waiting_inbound() == []
    finally:
        dead_db.close()
        alive_db.close()


def test_a_gathering_message_without_a_lease_waits_once_it_is_older_than_one(
    database_url: str,
) -> None:
    """Rows stored before gathering had a lease: taken back once older than a lease."""
    db = Database(database_url)
    try:
        store = Conversations(db)
        assert store.record_inbound("SM1", "s", "whatsapp", "+1", "hello", b"x", GATHERING)
        with db.session() as s:
            s.execute(update(Message).values(leased_by=None, lease_until=None))
        assert store.waiting_inbound() == []
        with db.session() as s:
            s.execute(update(Message).values(created_at=utcnow() - timedelta(minutes=5)))
        assert [r.sid for r in store.waiting_inbound()] == ["SM1"]
    finally:
        db.close()


def test_concurrent_flags_of_one_sender_make_one_escalation(database_url: str) -> None:
    """Two replicas flag one sender at once, 20 times over (AGENT and an urgent answer)."""
    replicas = [Database(database_url) for _ in range(2)]
    try:
        stores = [Conversations(d) for d in replicas]
        for round_ in range(20):
            start = threading.Barrier(4)

            def flag(i: int, who: str = f"sender-{round_}",
                     start: threading.Barrier = start) -> int:
                start.wait()
                return stores[i % 2].escalate(who, "whatsapp", ("agent", "urgent")[i % 2])

            with ThreadPoolExecutor(4) as pool:
                ids = set(pool.map(flag, range(4)))
            assert len(ids) == 1
        with replicas[0].session() as s:
            rows = s.scalars(select(Escalation)).all()
        assert len(rows) == 20 and {r.reason for r in rows} == {"agent,urgent"}
    finally:
        for d in replicas:
            d.close()
