"""The inbox in the store, on real SQLite: listing, claiming, the WhatsApp window, closing
and erasure. Replying goes through the channel: tests/channels/test_caseworker_reply.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.store import Conversations, Database, Outbox
from bot.store.identity import Identity
from bot.store.inbox import Inbox, InboxError, NotAllowed, NotFound
from bot.store.models import Escalation, OutboxRow, utcnow
from bot.store.records import Records
from tests.store.store_data import KEY, OURS, age_messages, flag, users


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.close()


@pytest.fixture
def identity() -> Identity:
    return Identity(KEY)


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
    Records(db).record_question("whatsapp", "my passport AB1234567 was taken", sender_id=who,
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


def test_whatsapp_window_is_24_hours_sms_has_none(db: Database, identity: Identity) -> None:
    inbox = Inbox(db)
    _, esc = flag(db, identity, "+79001110008")
    now = utcnow()
    assert inbox.window(esc, now).open
    assert inbox.window(esc, now + timedelta(hours=23, minutes=59)).open
    late = inbox.window(esc, now + timedelta(hours=24, minutes=1))
    assert not late.open and "24 hours" in (late.reason or "")

    sms_who, sms = flag(db, identity, "+79001110009", channel="sms")
    age_messages(db, sms_who, 24 * 5)
    assert inbox.window(sms).open


def test_an_opted_out_user_closes_the_window(db: Database, identity: Identity) -> None:
    inbox = Inbox(db)
    who, esc = flag(db, identity, "+79001110011")
    Conversations(db).opt_out(who, "whatsapp")
    window = inbox.window(esc)
    assert not window.open and "STOP" in (window.reason or "")


def test_closing_wipes_the_sealed_address(db: Database, identity: Identity) -> None:
    inbox = Inbox(db)
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
    window = inbox.window(esc)
    assert not window.open and "closed" in (window.reason or "")
    assert inbox.reply_address(esc) == (None, "")


def test_erasure_removes_the_conversation_and_its_replies(
    db: Database, identity: Identity
) -> None:
    inbox, outbox = Inbox(db), Outbox(db)
    cas, _, _ = users(db)
    who, esc = flag(db, identity, "+79001110013")
    other, kept = flag(db, identity, "+79001110014")
    records = Records(db)
    records.record_reply(who, "whatsapp", ["the assistant's answer"])
    outbox.enqueue(f"inbox:{esc}:erase-001", who, "whatsapp", OURS,
                   identity.seal("whatsapp:+79001110013"), ["a caseworker's answer"])
    records.record_reply(who, "whatsapp", ["a caseworker's answer"], "caseworker", cas)
    records.record_question("whatsapp", "my question", sender_id=who, lang="en")
    Conversations(db).delete_sender(who)
    with pytest.raises(NotFound, match="erased their data"):
        inbox.get(esc)
    with pytest.raises(NotFound):
        inbox.thread(esc)
    assert [i.id for i in inbox.conversations("all")] == [kept]
    assert all(rows == [] for rows in Conversations(db).export(who).values())
    with db.session() as s:
        assert s.scalars(select(OutboxRow).where(OutboxRow.sender_id == who)).all() == []


def test_levels_sort_urgent_first_then_sensitive_then_the_rest(
    db: Database, identity: Identity
) -> None:
    """Issue 14: the inbox shows each conversation's triage level and puts urgent ones on top,
    whatever their age; a sensitive one comes before an AGENT request, after urgent ones."""
    inbox = Inbox(db)
    _, urgent = flag(db, identity, "+79001110011", "urgent")
    _, agent = flag(db, identity, "+79001110012", "agent")
    _, sensitive = flag(db, identity, "+79001110013", "sensitive")
    _, newer_agent = flag(db, identity, "+79001110014", "agent")
    listed = inbox.conversations("active")
    assert [i.id for i in listed] == [urgent, sensitive, newer_agent, agent]
    assert [i.level for i in listed] == ["urgent", "sensitive", "routine", "routine"]


def test_a_level_is_raised_while_open_and_starts_again_when_reopened(
    db: Database, identity: Identity
) -> None:
    inbox = Inbox(db)
    cas, _, _ = users(db)
    number = "+79001110015"
    _, esc = flag(db, identity, number, "sensitive")
    flag(db, identity, number, "urgent")
    flag(db, identity, number, "sensitive")  # a calmer message later does not lower it
    [item] = inbox.conversations("active")
    assert item.level == "urgent" and item.reasons == ("sensitive", "urgent")
    inbox.claim(esc, cas)
    inbox.close(esc, cas)
    flag(db, identity, number, "sensitive")
    [item] = inbox.conversations("active")
    assert item.level == "sensitive" and item.reasons == ("sensitive",)
    flag(db, identity, number, "agent")
    [item] = inbox.conversations("active")
    assert item.level == "sensitive" and item.reasons == ("agent", "sensitive")
