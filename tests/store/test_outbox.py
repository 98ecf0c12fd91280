"""The persisted outbox: queued once, claimed once, parts in order, orphans taken back; on
SQLite and PostgreSQL, by one worker or by the workers of several replicas."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from bot.store import Database, Outbox
from bot.store.models import utcnow
from tests.store.store_data import outbox_rows


@pytest.fixture
def outbox(database_url: str) -> Iterator[Outbox]:
    database = Database(database_url)
    yield Outbox(database)
    database.close()


def test_a_reply_is_queued_once_per_idempotency_key(outbox: Outbox) -> None:
    assert outbox.enqueue("SM1", "s", "sms", "+1", b"sealed", ["one", "two"])
    assert not outbox.enqueue("SM1", "s", "sms", "+1", b"sealed", ["one", "two"])
    assert [r.body for r in outbox_rows(outbox.db)] == ["one", "two"]


def test_rows_are_claimed_once_and_in_order(outbox: Outbox) -> None:
    outbox.enqueue("SM1", "s", "sms", "+1", b"sealed", ["one", "two"])
    with ThreadPoolExecutor(8) as pool:
        claims = [c for batch in pool.map(lambda _: outbox.claim_due(), range(8)) for c in batch]
    assert [c.body for c in claims] == ["one"]  # part two waits for part one
    outbox.mark_retry(claims[0].id, "HTTP 500", delay=60)
    assert outbox.claim_due() == []  # part one is backing off; part two still waits
    [again] = outbox.claim_due(now=utcnow() + timedelta(seconds=61))
    assert again.body == "one" and again.attempts == 1
    outbox.mark_sent(again.id, "SMx")
    [second] = outbox.claim_due()
    assert second.body == "two"


def test_a_service_alone_on_its_database_takes_back_rows_left_sending(outbox: Outbox) -> None:
    outbox.enqueue("SM1", "s", "sms", "+1", b"sealed", ["one"])
    assert outbox.claim_due()
    assert outbox.claim_due() == []
    assert outbox.reset_orphans() == 1  # at start-up, on a guarded SQLite file only
    assert [c.body for c in outbox.claim_due()] == ["one"]


def test_replicas_never_claim_the_same_row(database_url: str) -> None:
    """Four replicas' workers (each its own engine) claiming 60 conversations at once:
    every row is claimed exactly once, and only the head of each conversation."""
    replicas = [Database(database_url) for _ in range(4)]
    try:
        boxes = [Outbox(d) for d in replicas]
        for i in range(60):
            boxes[0].enqueue(f"SM{i}", f"s{i}", "sms", "+1", b"sealed", ["part 1", "part 2"])
        start = threading.Barrier(8)

        def work(i: int) -> list[tuple[str, int]]:
            start.wait()
            box, taken = boxes[i % 4], []
            while batch := box.claim_due(limit=5):
                taken += [(box.db.owner, item.id) for item in batch]
            return taken

        with ThreadPoolExecutor(8) as pool:
            claims = [c for batch in pool.map(work, range(8)) for c in batch]
        ids = [item_id for _, item_id in claims]
        assert len(ids) == len(set(ids)) == 60  # part 2 of each waits for part 1
        rows = {r.id: r for r in outbox_rows(replicas[0])}
        assert all(rows[i].body == "part 1" and rows[i].status == "sending" for i in ids)
        assert all(rows[i].leased_by == owner for owner, i in claims)
    finally:
        for d in replicas:
            d.close()


def test_a_dead_workers_rows_are_taken_over_when_the_lease_runs_out(database_url: str) -> None:
    alive, dead = Database(database_url), Database(database_url)
    try:
        mine, theirs = Outbox(alive), Outbox(dead)
        mine.enqueue("SM1", "s", "sms", "+1", b"sealed", ["one", "two"])
        t0 = utcnow()
        [item] = theirs.claim_due(now=t0)  # then the process is killed
        assert mine.claim_due(now=t0 + timedelta(seconds=29)) == []  # its lease still holds
        [again] = mine.claim_due(now=t0 + timedelta(seconds=31))
        assert again.id == item.id and again.body == "one"
        mine.mark_sent(again.id, "SMx")
        assert [c.body for c in mine.claim_due()] == ["two"]
    finally:
        alive.close()
        dead.close()


def test_a_living_worker_renews_its_leases(database_url: str) -> None:
    slow, other = Database(database_url), Database(database_url)
    try:
        mine, theirs = Outbox(slow), Outbox(other)
        mine.enqueue("SM1", "s", "sms", "+1", b"sealed", ["one"])
        t0 = utcnow()
        assert mine.claim_due(now=t0)
        assert mine.renew(now=t0 + timedelta(seconds=20)) == 1  # a slow send, still alive
        assert theirs.renew(now=t0 + timedelta(seconds=20)) == 0  # renews only its own
        assert theirs.claim_due(now=t0 + timedelta(seconds=45)) == []
        assert theirs.claim_due(now=t0 + timedelta(seconds=51))
    finally:
        slow.close()
        other.close()


def test_failed_and_sent_rows_forget_the_address(outbox: Outbox) -> None:
    outbox.enqueue("SM1", "s", "sms", "+1", b"sealed", ["one"])
    outbox.enqueue("SM2", "t", "sms", "+1", b"sealed", ["two"])
    a, b = outbox.claim_due()
    outbox.mark_sent(a.id, "SMa")
    outbox.mark_failed(b.id, "twilio 21610 (HTTP 400)")
    assert [r.sealed_to for r in outbox_rows(outbox.db)] == [None, None]
    assert outbox.sent_sids("s") == ["SMa"]


def test_stop_cancels_what_is_queued(outbox: Outbox) -> None:
    outbox.enqueue("SM1", "s", "whatsapp", "+1", b"sealed", ["one", "two"])
    assert outbox.cancel("s", "whatsapp") == 2
    assert outbox.claim_due() == []
