"""The REST sender: the real twilio client against the local fake Messages API."""

from __future__ import annotations

import pytest
from twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

from bot.channels.twilio.sender import TwilioSender


@pytest.fixture
def sender(fake: FakeTwilio) -> TwilioSender:
    return TwilioSender(ACCOUNT_SID, AUTH_TOKEN, base_url=fake.base_url, timeout=5)


def test_send_returns_the_message_sid(sender: TwilioSender, fake: FakeTwilio) -> None:
    result = sender.send("whatsapp:+79001112233", "whatsapp:+15005550006", "hello")
    assert result.outcome == "sent" and result.sid == fake.sent[0]["sid"]
    assert fake.sent[0]["body"] == "hello"


@pytest.mark.parametrize(("status", "code", "outcome"), [
    (500, None, "retry"), (503, 20500, "retry"), (429, 20429, "retry"),
    (400, 21610, "failed"), (400, 63016, "failed"), (400, 21211, "failed"),
])
def test_failures_are_classified(sender: TwilioSender, fake: FakeTwilio, status: int,
                                 code: int | None, outcome: str) -> None:
    fake.fail_next(1, status=status, code=code)
    result = sender.send("+79001112233", "+15005550006", "hello")
    assert result.outcome == outcome
    assert "79001112233" not in (result.error or "")


def test_network_errors_are_retried(fake: FakeTwilio) -> None:
    base = fake.base_url
    fake.stop()
    result = TwilioSender(ACCOUNT_SID, AUTH_TOKEN, base_url=base, timeout=2).send(
        "+79001112233", "+15005550006", "hello")
    assert result.outcome == "retry"


def test_wrong_credentials_are_not_retried(fake: FakeTwilio) -> None:
    result = TwilioSender(ACCOUNT_SID, "wrong", base_url=fake.base_url).send(
        "+79001112233", "+15005550006", "hello")
    assert result.outcome == "failed"


def test_delete_conversation_deletes_both_directions(sender: TwilioSender,
                                                      fake: FakeTwilio) -> None:
    fake.add_inbound("SMin1", "whatsapp:+79001112233", "whatsapp:+15005550006", "hi")
    fake.add_inbound("SMother", "whatsapp:+79005550000", "whatsapp:+15005550006", "hi")
    sender.send("whatsapp:+79001112233", "whatsapp:+15005550006", "answer")
    deletion = sender.delete_conversation(["whatsapp:+79001112233"], ["SMgone"])
    assert deletion.deleted == 2 and deletion.complete
    assert list(fake.messages) == ["SMother"]
