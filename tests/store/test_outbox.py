"""The persisted outbox: queued once, claimed once, parts in order, orphans taken back."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from bot.store import Database, Outbox
from bot.store.models import utcnow
from tests.store.store_data import outbox_rows


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(Database(f"sqlite:///{tmp_path / 'bot.sqlite3'}"))


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


def test_rows_left_sending_by_a_dead_process_are_taken_back(outbox: Outbox) -> None:
    outbox.enqueue("SM1", "s", "sms", "+1", b"sealed", ["one"])
    assert outbox.claim_due()
    assert outbox.claim_due() == []
    assert outbox.reset_orphans() == 1
    assert [c.body for c in outbox.claim_due()] == ["one"]


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
