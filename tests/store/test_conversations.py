"""The conversation store on real SQLite: dedupe, erasure, export, hashing, sealing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.store import Conversations, Database, Outbox
from bot.store.identity import Identity
from bot.store.records import Records

KEY = "a-test-key-that-is-long-enough-0123456789"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")


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
