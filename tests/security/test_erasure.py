"""DELETE that really erases, and says only what is true (issue 16, finding 4; issue 13.7).

Right after DELETE the text was still in ``bot.sqlite3-wal`` while the server ran;
Twilio-side deletion covered only the channel DELETE came from; the confirmation
claimed deletion "at our provider" without credentials or when it failed; pending
replies were dropped without a word.
"""

from __future__ import annotations

import time
from pathlib import Path

from bot.store.models import Message
from tests.app.harness import OUR_NUMBER, AppServer, message, twiml_bodies
from tests.channels.twilio_fake import FakeTwilio
from tests.security.conftest import Serve

SENDER = "+79161230002"
WORD = "Quetzalcoatlus"  # a word redaction keeps: it must still leave the files
CLAIM = "were also deleted at our messaging provider"


def say(app: AppServer, fake: FakeTwilio, body: str, channel: str = "whatsapp") -> list[str]:
    """A message the user sends: Twilio keeps a copy, then calls the webhook."""
    params = message(body, SENDER, channel)
    fake.add_inbound(params["MessageSid"], params["From"], params["To"], body)
    r = app.post(channel, params)
    assert r.status_code == 200
    return twiml_bodies(r.text)


def database_files(tmp_path: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in tmp_path.glob("bot.sqlite3*")}


def test_erased_text_is_in_neither_the_database_nor_its_write_ahead_log(
    app: AppServer, fake: FakeTwilio, tmp_path: Path
) -> None:
    say(app, fake, f"the {WORD} took my documents")  # stored, waiting for the assistant
    assert any(WORD.encode() in data for data in database_files(tmp_path).values())
    [confirmation] = say(app, fake, "DELETE")
    assert "deleted" in confirmation
    # While the server still runs (its connections open), not after a clean shutdown.
    for name, data in database_files(tmp_path).items():
        assert WORD.encode() not in data, name


def test_messages_at_twilio_are_deleted_on_every_channel_the_sender_used(
    app: AppServer, fake: FakeTwilio
) -> None:
    say(app, fake, "HELP", "sms")
    say(app, fake, "HELP", "whatsapp")
    fake.add_inbound("SM" + "e" * 32, "+79990000000", OUR_NUMBER, "someone else")
    [confirmation] = say(app, fake, "DELETE", "whatsapp")
    assert not [m for m in fake.messages.values() if SENDER in m["from"] + m["to"]]
    assert "SM" + "e" * 32 in fake.messages
    assert CLAIM in confirmation  # true here: it finished and succeeded


def test_without_twilio_credentials_deletion_there_is_not_claimed(make_app: Serve) -> None:
    with make_app(twilio_account_sid=None) as app:
        app.ask("HELP", SENDER)
        [confirmation] = app.ask("DELETE", SENDER)
    assert "Everything we stored about you has been deleted." in confirmation
    assert CLAIM not in confirmation and "at our provider" not in confirmation
    assert "this service cannot delete them there" in confirmation


def test_a_failed_deletion_at_twilio_is_told_as_failed(make_app: Serve) -> None:
    # Twilio's API unreachable: the listing fails, so nothing can be said to be deleted.
    with make_app(twilio_api_base_url="http://127.0.0.1:9") as app:
        app.ask("HELP", SENDER)
        [confirmation] = app.ask("DELETE", SENDER)
    assert CLAIM not in confirmation
    assert "could not be deleted at our messaging provider" in confirmation


def test_pending_replies_are_cancelled_and_the_confirmation_says_so(
    make_app: Serve, fake: FakeTwilio
) -> None:
    fake.fail_next(1000, 503)  # Twilio is down: a queued reply waits for its retry
    with make_app(outbox_backoff=600) as app:
        app.ask("I am locked in a dormitory", SENDER)  # waits for the assistant to load
        sender_id = app.delivery.identity.sender_id(SENDER)
        assert app.delivery.outbox.enqueue(
            "inbox:1:test", sender_id, "whatsapp", "whatsapp:" + OUR_NUMBER,
            app.delivery.identity.seal("whatsapp:" + SENDER), ["A caseworker's reply"])
        deadline = time.monotonic() + 10
        while fake.attempts == 0:  # the worker tried once and will retry much later
            assert time.monotonic() < deadline
            time.sleep(0.05)
        [confirmation] = app.ask("DELETE", SENDER)
        assert "were cancelled" in confirmation
        attempts = fake.attempts
        time.sleep(0.5)
        assert fake.attempts == attempts  # nothing more goes out
        with app.db.session() as s:
            assert s.query(Message).filter(Message.sender_id == sender_id).count() == 0
    # And a DELETE with nothing waiting does not claim any cancellation.
    with make_app() as app:
        app.ask("HELP", SENDER)
        [confirmation] = app.ask("DELETE", SENDER)
        assert "cancelled" not in confirmation
