"""The inbox in the store, on real SQLite: listing, claiming, replying, the WhatsApp window,
closing and erasure."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.store import Conversations, Database, Outbox
from bot.store.identity import Identity
from bot.store.inbox import Inbox, InboxError, NotAllowed, NotFound
from bot.store.models import Escalation, Message, OutboxRow, Reply, User, utcnow

KEY = "a-test-key-that-is-long-enough-0123456789"
OURS = "whatsapp:+15005550006"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")


@pytest.fixture
def identity() -> Identity:
    return Identity(KEY)


def users(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        rows = [User(name=n, role=r, password_hash="x")
                for n, r in (("cas", "caseworker"), ("cam", "caseworker"), ("ada", "admin"))]
        s.add_all(rows)
        s.flush()
        return rows[0].id, rows[1].id, rows[2].id


def flag(db: Database, identity: Identity, number: str, reason: str = "agent",
         channel: str = "whatsapp", text: str = "help me") -> tuple[str, int]:
    """A user's message and its escalation, as the channel records them."""
    store = Conversations(db)
    address = f"whatsapp:{number}" if channel == "whatsapp" else number
    who = identity.sender_id(address)
    store.touch(who, "RU")
    store.record_inbound(f"SM{number}{reason}", who, channel, OURS, text, None, "answered")
    return who, store.escalate(who, channel, reason, identity.seal(address),
                               OURS if channel == "whatsapp" else "+15005550006")


def age_messages(db: Database, who: str, hours: float) -> None:
    with db.session() as s:
        s.execute(update(Message).where(Message.sender_id == who)
                  .values(created_at=utcnow() - timedelta(hours=hours)))


def test_one_escalation_per_sender_updated_then_reopened(
    db: Database, identity: Identity
) -> None:
    inbox = Inbox(db)
    cas, _, _ = users(db)
    who, first = flag(db, identity, "+79001110001", "agent")
    _, again = flag(db, identity, "+79001110001", "urgent")
    assert again == first
    [item] = inbox.conversations("all")
    assert item.reasons == ("agent", "urgent") and item.status == "open"
    inbox.claim(first, cas)
    inbox.close(first, cas)
    _, reopened = flag(db, identity, "+79001110001", "urgent")
    assert reopened == first
    [item] = inbox.conversations("active")
    assert item.status == "open" and item.claimed_by_id is None and item.reasons == ("urgent",)
    assert item.has_address


def test_listing_open_and_claimed_first_newest_first_without_numbers(
    db: Database, identity: Identity
) -> None:
    inbox = Inbox(db)
    cas, _, _ = users(db)
    _, old = flag(db, identity, "+79001110002")
    _, closed = flag(db, identity, "+79001110003", "urgent")
    _, new = flag(db, identity, "+79001110004")
    inbox.claim(closed, cas)
    inbox.close(closed, cas)
    inbox.claim(old, cas)
    assert [i.id for i in inbox.conversations("active")] == [new, old]
    assert [i.id for i in inbox.conversations("closed")] == [closed]
    listed = inbox.conversations("all")
    assert [i.id for i in listed] == [new, old, closed]
    by_id = {i.id: i for i in listed}
    assert by_id[old].claimed_by == "cas" and by_id[old].status == "claimed"
    assert by_id[new].label == f"Conversation #{new}"
    assert by_id[new].country == "RU" and by_id[new].channel == "whatsapp"
    assert "79001110004" not in repr(listed)


def test_language_comes_from_the_sender_or_their_last_question(
    db: Database, identity: Identity
) -> None:
    inbox = Inbox(db)
    who, esc = flag(db, identity, "+79001110005")
    assert inbox.get(esc).lang is None
    inbox.record_question("whatsapp", "my passport AB1234567 was taken", sender_id=who,
                          lang="fr", country="RU", status="answered", urgent=True,
                          doc_ids=["passport", "passport", "contacts"])
    assert inbox.get(esc).lang == "fr"
    Conversations(db).set_lang(who, "ar")
    assert inbox.get(esc).lang == "ar"
    [question] = Conversations(db).export(who)["questions"]
    assert "AB1234567" not in question["text"] and question["doc_ids"] == "passport contacts"


def test_claiming_rules(db: Database, identity: Identity) -> None:
    inbox = Inbox(db)
    cas, cam, ada = users(db)
    _, esc = flag(db, identity, "+79001110006")
    assert inbox.claim(esc, cas) is True
    assert inbox.claim(esc, cas) is False  # yours already
    with pytest.raises(InboxError, match="cas has claimed"):
        inbox.claim(esc, cam)
    assert inbox.claim(esc, ada, take_over=True) is True
    assert inbox.get(esc).claimed_by == "ada"
    with pytest.raises(NotAllowed):
        inbox.close(esc, cam)
    assert inbox.close(esc, ada) is True
    with pytest.raises(InboxError, match="closed"):
        inbox.claim(esc, cas)
    with pytest.raises(NotFound):
        inbox.claim(esc + 1000, cas)


def test_a_reply_is_queued_once_to_the_sealed_address_and_recorded(
    db: Database, identity: Identity
) -> None:
    inbox, outbox = Inbox(db), Outbox(db)
    cas, cam, _ = users(db)
    who, esc = flag(db, identity, "+79001110007")
    result = inbox.reply(esc, cas, "  We can help: call us today.\r\n", identity, outbox,
                         nonce="form-0001")
    assert result.queued and result.claimed
    assert inbox.get(esc).claimed_by == "cas"
    again = inbox.reply(esc, cas, "We can help: call us today.", identity, outbox,
                        nonce="form-0001")
    assert not again.queued and not again.claimed  # a double submit sends nothing more
    [row] = outbox.rows()
    assert row.body == "We can help: call us today."
    assert row.channel == "whatsapp" and row.from_address == OURS
    assert row.sealed_to and identity.unseal(row.sealed_to) == "whatsapp:+79001110007"
    with db.session() as s:
        [reply] = s.scalars(select(Reply).where(Reply.sender_id == who)).all()
    assert (reply.author, reply.user_id) == ("caseworker", cas)
    thread = inbox.thread(esc)
    assert [(e.kind, e.author) for e in thread] == [("user", None), ("caseworker", "cas")]
    with pytest.raises(NotAllowed, match="cas has claimed"):
        inbox.reply(esc, cam, "me too", identity, outbox, nonce="form-0002")
    with pytest.raises(InboxError, match="Write a reply"):
        inbox.reply(esc, cas, "   ", identity, outbox, nonce="form-0003")
    with pytest.raises(InboxError, match="too long"):
        inbox.reply(esc, cas, "x" * 1601, identity, outbox, nonce="form-0004")


def test_whatsapp_replies_only_within_24_hours_sms_any_time(
    db: Database, identity: Identity
) -> None:
    inbox, outbox = Inbox(db), Outbox(db)
    cas, _, _ = users(db)
    who, esc = flag(db, identity, "+79001110008")
    now = utcnow()
    assert inbox.window(esc, now).open
    assert inbox.window(esc, now + timedelta(hours=23, minutes=59)).open
    late = inbox.window(esc, now + timedelta(hours=24, minutes=1))
    assert not late.open and "24 hours" in (late.reason or "")
    with pytest.raises(InboxError, match="24 hours"):
        inbox.reply(esc, cas, "hello", identity, outbox, nonce="late-0001",
                    now=now + timedelta(hours=25))
    assert outbox.rows() == []

    sms_who, sms = flag(db, identity, "+79001110009", channel="sms")
    age_messages(db, sms_who, 24 * 5)
    assert inbox.window(sms).open
    assert inbox.reply(sms, cas, "hello by SMS", identity, outbox, nonce="sms-00001").queued
    [row] = outbox.rows()
    assert row.channel == "sms" and identity.unseal(row.sealed_to or b"") == "+79001110009"


def test_an_address_that_cannot_be_decrypted_is_explained(
    db: Database, identity: Identity
) -> None:
    inbox, outbox = Inbox(db), Outbox(db)
    cas, _, _ = users(db)
    _, esc = flag(db, identity, "+79001110010")
    with pytest.raises(InboxError, match="can no longer be decrypted"):
        inbox.reply(esc, cas, "hello", Identity(KEY + "-rotated"), outbox, nonce="key-00001")
    assert outbox.rows() == []


def test_an_opted_out_user_gets_nothing(db: Database, identity: Identity) -> None:
    inbox, outbox = Inbox(db), Outbox(db)
    cas, _, _ = users(db)
    who, esc = flag(db, identity, "+79001110011")
    Conversations(db).opt_out(who, "whatsapp")
    assert "STOP" in (inbox.window(esc).reason or "")
    with pytest.raises(InboxError, match="opted out"):
        inbox.reply(esc, cas, "hello", identity, outbox, nonce="stop-0001")


def test_closing_wipes_the_sealed_address(db: Database, identity: Identity) -> None:
    inbox, outbox = Inbox(db), Outbox(db)
    cas, _, _ = users(db)
    _, esc = flag(db, identity, "+79001110012")
    inbox.claim(esc, cas)
    assert inbox.close(esc, cas) is True
    assert inbox.close(esc, cas) is False
    with db.session() as s:
        row = s.get(Escalation, esc)
        assert row is not None
        assert row.sealed_address is None and row.our_address is None
        assert row.status == "closed" and row.closed_at is not None
    assert not inbox.window(esc).open
    with pytest.raises(InboxError, match="closed"):
        inbox.reply(esc, cas, "hello", identity, outbox, nonce="closed-01")


def test_erasure_removes_the_conversation_and_its_replies(
    db: Database, identity: Identity
) -> None:
    inbox, outbox = Inbox(db), Outbox(db)
    cas, _, _ = users(db)
    who, esc = flag(db, identity, "+79001110013")
    other, kept = flag(db, identity, "+79001110014")
    inbox.record_reply(who, "whatsapp", ["the assistant's answer"])
    inbox.reply(esc, cas, "a caseworker's answer", identity, outbox, nonce="erase-001")
    inbox.record_question("whatsapp", "my question", sender_id=who, lang="en")
    Conversations(db).delete_sender(who)
    with pytest.raises(NotFound, match="erased their data"):
        inbox.get(esc)
    with pytest.raises(NotFound):
        inbox.thread(esc)
    assert [i.id for i in inbox.conversations("all")] == [kept]
    assert all(rows == [] for rows in Conversations(db).export(who).values())
    with db.session() as s:
        assert s.scalars(select(OutboxRow).where(OutboxRow.sender_id == who)).all() == []
