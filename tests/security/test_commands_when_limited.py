"""DELETE and STOP while a sender is over the rate limit (issue 16, finding 3).

The limit used to be checked before commands: a flood (or a panicking user) left
DELETE and STOP silently dropped, the stored messages kept for up to a day.
They are the user's say over their data and their messages: never limited.
End to end through the signed webhook.
"""

from __future__ import annotations

from tests.app.harness import AppServer
from tests.security.conftest import Serve

SENDER = "+79161230001"


def flood(app: AppServer, channel: str = "whatsapp") -> None:
    limit = app.settings.rate_flood_per_minute
    replies = [app.ask(f"hello {i}", SENDER, channel) for i in range(limit + 2)]
    assert replies[-1] == []  # over the flood limit: silence for anything but commands


def test_delete_is_carried_out_and_confirmed_while_rate_limited(make_app: Serve) -> None:
    with make_app(rate_flood_per_minute=2) as app:
        flood(app)
        sender_id = app.delivery.identity.sender_id(SENDER)
        assert any(app.delivery.store.export(sender_id).values())
        [confirmation] = app.ask("DELETE", SENDER)
        assert "deleted" in confirmation
        assert not any(app.delivery.store.export(sender_id).values())


def test_stop_is_carried_out_while_rate_limited(make_app: Serve) -> None:
    with make_app(rate_flood_per_minute=2) as app:
        flood(app)
        replies = app.ask("STOP", SENDER)
        assert replies and "no more messages" in replies[0]
        sender_id = app.delivery.identity.sender_id(SENDER)
        assert app.delivery.store.opted_out(sender_id, "whatsapp")
        assert app.ask("START", SENDER)  # and START undoes it, limited or not
        assert not app.delivery.store.opted_out(sender_id, "whatsapp")
