"""Replies that leave through the persisted outbox and the real twilio client.

The reply deadline is 0 here, so every answer goes through the outbox, the
worker and the fake Twilio Messages API.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.advisor.runtime import Runtime
from bot.store.models import OutboxRow
from tests.app.harness import AppServer, privacy_note, serve, twilio_settings
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.store.store_data import outbox_rows

QUESTION = "They took my passport at work, what can I do?"


@pytest.fixture
def app(tmp_path: Path, fake: FakeTwilio, starter_runtime: Runtime,
        database_url: str) -> Iterator[AppServer]:
    """The service on each database: SQLite, then PostgreSQL."""
    settings = twilio_settings(tmp_path, fake.base_url, ACCOUNT_SID, AUTH_TOKEN,
                               twilio_reply_deadline=0.0, outbox_max_attempts=5,
                               database_url=database_url)
    with serve(settings, starter_runtime) as server:
        yield server


def rows(app: AppServer) -> list[OutboxRow]:
    return outbox_rows(app.db)


def wait_for(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_slow_answers_go_through_the_outbox(app: AppServer, fake: FakeTwilio) -> None:
    # Only the first-contact note goes back in the TwiML; the outbox sends the answer.
    assert app.ask(QUESTION, "+79001112233") == [privacy_note()]
    [sent] = fake.wait_sent(1)
    assert sent["to"] == "whatsapp:+79001112233"
    assert sent["from"] == "whatsapp:+15005550006"
    assert "*" in sent["body"] and len(sent["body"]) <= 1600
    wait_for(lambda: all(r.status == "sent" for r in rows(app)))
    [row] = rows(app)
    assert row.sealed_to is None and row.twilio_sid == sent["sid"]


def test_three_failed_sends_then_the_reply_arrives_once(app: AppServer, fake: FakeTwilio) -> None:
    fake.fail_next(2, status=500)
    fake.fail_next(1, status=429, code=20429)
    app.ask(QUESTION, "+79001112233", channel="sms")
    fake.wait_sent(1)
    wait_for(lambda: rows(app)[0].status == "sent")
    time.sleep(0.3)  # nothing else goes out afterwards
    assert len(fake.sent) == 1 and fake.attempts == 4
    [row] = rows(app)
    assert row.attempts == 4


@pytest.mark.parametrize("code", [21610, 63016])
def test_opted_out_or_closed_window_is_recorded_and_not_retried(
    app: AppServer, fake: FakeTwilio, code: int
) -> None:
    fake.fail_next(5, status=400, code=code)
    app.ask(QUESTION, "+79001112233")
    wait_for(lambda: bool(rows(app)) and rows(app)[0].status == "failed")
    time.sleep(0.3)
    assert fake.attempts == 1 and fake.sent == []
    [row] = rows(app)
    assert str(code) in (row.last_error or "") and row.sealed_to is None


def test_a_reply_queued_before_stop_is_never_sent(tmp_path: Path, fake: FakeTwilio,
                                                   starter_runtime: Runtime,
                                                   database_url: str) -> None:
    # The retry waits 5 s, so STOP surely comes before it (with the shared 0.05 s backoff
    # the retry could win the race on a busy machine: a test of timing, not of STOP).
    settings = twilio_settings(tmp_path, fake.base_url, ACCOUNT_SID, AUTH_TOKEN,
                               twilio_reply_deadline=0.0, outbox_max_attempts=5,
                               database_url=database_url, outbox_backoff=5.0)
    with serve(settings, starter_runtime) as app:
        fake.fail_next(1, status=503)  # the reply waits in the outbox for its retry
        app.ask(QUESTION, "+79001112233")
        wait_for(lambda: fake.attempts == 1)
        assert app.ask("STOP", "+79001112233")
        time.sleep(0.5)
        assert fake.sent == []
        assert rows(app)[0].status in ("cancelled", "failed")


def test_every_part_is_delivered_in_order(app: AppServer, fake: FakeTwilio) -> None:
    """A long reply in parts goes out part by part, even when one part needs a retry."""
    delivery = app.delivery
    sender = delivery.identity.sender_id("whatsapp:+79001112233")
    delivery.outbox.enqueue("SMparts", sender, "whatsapp", "whatsapp:+15005550006",
                            delivery.identity.seal("whatsapp:+79001112233"),
                            ["(1/3) one", "(2/3) two", "(3/3) three"])
    fake.fail_next(1, status=500)
    delivery.wake()
    sent = fake.wait_sent(3)
    assert [m["body"] for m in sent] == ["(1/3) one", "(2/3) two", "(3/3) three"]
