"""Rows of the conversation store for tests: conversations flagged for the inbox, as the
Twilio channel records them, and the outbox read back (real SQLite)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.store import Conversations, Database
from bot.store.identity import Identity
from bot.store.models import Message, OutboxRow, User, utcnow

KEY = "a-test-key-that-is-long-enough-0123456789"
OURS = "whatsapp:+15005550006"


def users(db: Database) -> tuple[int, int, int]:
    """Two caseworkers and an admin: (cas, cam, ada)."""
    with db.session() as s:
        rows = [User(name=n, role=r, password_hash="x")
                for n, r in (("cas", "caseworker"), ("cam", "caseworker"), ("ada", "admin"))]
        s.add_all(rows)
        s.flush()
        return rows[0].id, rows[1].id, rows[2].id


def flag(db: Database, identity: Identity, number: str, reason: str = "agent",
         channel: str = "whatsapp", text: str = "help me") -> tuple[str, int]:
    """A user's message and its escalation: (sender id, escalation id)."""
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


def outbox_rows(db: Database) -> list[OutboxRow]:
    """Every queued reply part, oldest first."""
    with db.session() as s:
        return list(s.scalars(select(OutboxRow).order_by(OutboxRow.id)))
