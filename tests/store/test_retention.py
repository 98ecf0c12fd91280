"""Check 9: after the retention period, data is gone (`bot purge`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.channels.twilio.pace import Pace, SharedRateStore
from bot.cli import main
from bot.config import get_settings
from bot.store import Conversations, Database, Outbox
from bot.store.models import (
    PERSONAL_TABLES,
    AskedQuestion,
    Escalation,
    Message,
    OptOut,
    OutboxRow,
    RateEvent,
    RateWarning,
    Reply,
    Sender,
    utcnow,
)
from bot.store.ratelimits import DatabaseRateStorage
from bot.store.records import Records


def _fill(db: Database, who: str) -> None:
    store = Conversations(db)
    store.touch(who, "RU")
    store.record_inbound(f"SM-{who}", who, "sms", "+1", "hello", None, "answered")
    store.opt_out(who, "whatsapp")
    store.escalate(who, "sms", "agent")
    Outbox(db).enqueue(f"K-{who}", who, "sms", "+1", b"x", ["reply"])
    Records(db).record_reply(who, "sms", ["reply"])
    Records(db).record_question("sms", "my visa", sender_id=who)
    pace = Pace(SharedRateStore(DatabaseRateStorage(db)), per_minute=10, per_day=10,
                flood_per_minute=1, pause=10.0**9)
    assert [pace.arrive(who, "SM-a").verdict, pace.arrive(who, "SM-b").verdict] == [
        "ok", "limited"]


def _age(db: Database, who: str, days: int) -> None:
    then = utcnow() - timedelta(days=days)
    with db.session() as s:
        s.execute(update(Sender).where(Sender.sender_id == who)
                  .values(last_seen_at=then, created_at=then))
        for table in (Message, OptOut, OutboxRow, Escalation, Reply, AskedQuestion,
                      RateEvent, RateWarning):
            s.execute(update(table).where(table.sender_id == who).values(created_at=then))


def test_bot_purge_deletes_what_is_older_than_the_retention(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = database_url
    db = Database(url)
    _fill(db, "old")
    _fill(db, "new")
    _age(db, "old", 31)
    _age(db, "new", 29)

    monkeypatch.setenv("BOT_DATABASE_URL", url)
    monkeypatch.delenv("BOT_RETENTION_DAYS", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["purge"]) == 0
    finally:
        get_settings.cache_clear()
    assert "older than 30 day(s)" in capsys.readouterr().out

    store = Conversations(db)
    assert all(rows == [] for rows in store.export("old").values())
    assert all(rows for rows in store.export("new").values())
    assert len(PERSONAL_TABLES) == len(store.export("new"))
