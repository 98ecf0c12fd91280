"""A caseworker's reply through the user's channel (``Delivery.caseworker_reply``), on real
SQLite: queued once to the sealed address, recorded, and refused with a reason the page shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.advisor.loader import RuntimeLoader
from bot.channels.context import ChannelContext
from bot.channels.render.limits import TWILIO_MAX_BODY
from bot.channels.twilio.channel import TwilioChannel
from bot.channels.twilio.delivery import Delivery
from bot.store import Conversations, Database
from bot.store.identity import Identity
from bot.store.inbox import Inbox, InboxError, NotAllowed
from bot.store.models import Reply, utcnow
from tests.conftest import STARTER_KNOWLEDGE, make_settings
from tests.store.store_data import KEY, OURS, age_messages, flag, outbox_rows, users


def delivery_for(db: Database, tmp_path: Path, key: str = KEY) -> Delivery:
    """The Twilio channel's delivery on ``db``, as the app builds it (no runtime needed)."""
    settings = make_settings(STARTER_KNOWLEDGE, tmp_path / "data", sender_hash_key=key)
    channel = TwilioChannel(ChannelContext.create(settings, RuntimeLoader(settings), db))
    assert channel.delivery is not None
    return channel.delivery


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.close()


@pytest.fixture
def delivery(db: Database, tmp_path: Path) -> Delivery:
    return delivery_for(db, tmp_path)


@pytest.fixture
def inbox(db: Database) -> Inbox:
    return Inbox(db)


IDENTITY = Identity(KEY)  # the user's address sealed as the channel seals it


def test_a_reply_is_queued_once_to_the_sealed_address_and_recorded(
    db: Database, delivery: Delivery, inbox: Inbox
) -> None:
    cas, cam, _ = users(db)
    who, esc = flag(db, IDENTITY, "+79001110007")
    result = delivery.caseworker_reply(inbox, esc, cas, "  We can help: call us today.\r\n",
                                       nonce="form-0001")
    assert result.queued and result.claimed
    assert inbox.get(esc).claimed_by == "cas"
    again = delivery.caseworker_reply(inbox, esc, cas, "We can help: call us today.",
                                      nonce="form-0001")
    assert not again.queued and not again.claimed  # a double submit sends nothing more
    [row] = outbox_rows(db)
    assert row.body == "We can help: call us today."
    assert row.channel == "whatsapp" and row.from_address == OURS
    assert row.sealed_to and IDENTITY.unseal(row.sealed_to) == "whatsapp:+79001110007"
    with db.session() as s:
        [reply] = s.scalars(select(Reply).where(Reply.sender_id == who)).all()
    assert (reply.author, reply.user_id) == ("caseworker", cas)
    thread = inbox.thread(esc)
    assert [(e.kind, e.author) for e in thread] == [("user", None), ("caseworker", "cas")]
    with pytest.raises(NotAllowed, match="cas has claimed"):
        delivery.caseworker_reply(inbox, esc, cam, "me too", nonce="form-0002")
    with pytest.raises(InboxError, match="Write a reply"):
        delivery.caseworker_reply(inbox, esc, cas, "   ", nonce="form-0003")
    with pytest.raises(InboxError, match="too long"):
        delivery.caseworker_reply(inbox, esc, cas, "x" * (TWILIO_MAX_BODY + 1),
                                  nonce="form-0004")
    # Twilio counts UTF-16 units: 800 emoji are 1,600 units and fit; 801 do not.
    with pytest.raises(InboxError, match="too long"):
        delivery.caseworker_reply(inbox, esc, cas, "😀" * 801, nonce="form-0005")
    assert delivery.caseworker_reply(inbox, esc, cas, "😀" * 800, nonce="form-0006").queued


def test_whatsapp_replies_only_within_24_hours_sms_any_time(
    db: Database, delivery: Delivery, inbox: Inbox
) -> None:
    cas, _, _ = users(db)
    _, esc = flag(db, IDENTITY, "+79001110008")
    with pytest.raises(InboxError, match="24 hours"):
        delivery.caseworker_reply(inbox, esc, cas, "hello", nonce="late-0001",
                                  now=utcnow() + timedelta(hours=25))
    assert outbox_rows(db) == []

    sms_who, sms = flag(db, IDENTITY, "+79001110009", channel="sms")
    age_messages(db, sms_who, 24 * 5)
    assert delivery.caseworker_reply(inbox, sms, cas, "hello by SMS", nonce="sms-00001").queued
    [row] = outbox_rows(db)
    assert row.channel == "sms" and IDENTITY.unseal(row.sealed_to or b"") == "+79001110009"


def test_an_address_that_cannot_be_decrypted_is_explained(
    db: Database, tmp_path: Path, inbox: Inbox
) -> None:
    cas, _, _ = users(db)
    _, esc = flag(db, IDENTITY, "+79001110010")
    rotated = delivery_for(db, tmp_path, KEY + "-rotated")  # the server's key changed since
    with pytest.raises(InboxError, match="can no longer be decrypted"):
        rotated.caseworker_reply(inbox, esc, cas, "hello", nonce="key-00001")
    assert outbox_rows(db) == []


def test_nothing_goes_to_an_opted_out_user_or_a_closed_conversation(
    db: Database, delivery: Delivery, inbox: Inbox
) -> None:
    cas, _, _ = users(db)
    who, esc = flag(db, IDENTITY, "+79001110011")
    Conversations(db).opt_out(who, "whatsapp")
    with pytest.raises(InboxError, match="opted out"):
        delivery.caseworker_reply(inbox, esc, cas, "hello", nonce="stop-0001")
    _, closed = flag(db, IDENTITY, "+79001110012")
    inbox.claim(closed, cas)
    inbox.close(closed, cas)
    with pytest.raises(InboxError, match="closed"):
        delivery.caseworker_reply(inbox, closed, cas, "hello", nonce="closed-01")
    assert outbox_rows(db) == []
