"""Tables of the conversation store (SQLAlchemy 2.x).

Every row that concerns a person carries ``sender_id`` (the keyed hash), so
erasure and export are one query per table. No raw address, profile name or
unredacted message text is ever a column value.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Sender(Base):
    __tablename__ = "senders"

    sender_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lang: Mapped[str | None] = mapped_column(String(8))  # chosen with LANG xx
    country: Mapped[str | None] = mapped_column(String(2))
    last_question: Mapped[str | None] = mapped_column(Text)  # redacted
    last_question_at: Mapped[datetime | None] = mapped_column(DateTime)
    pending_more: Mapped[str | None] = mapped_column(Text)  # the rest of a long reply
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class OptOut(Base):
    __tablename__ = "opt_outs"

    sender_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Message(Base):
    """An inbound message. ``sid`` is unique: the atomic insert is the dedupe."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    our_address: Mapped[str] = mapped_column(String(64))  # the Twilio number it came to
    body: Mapped[str] = mapped_column(Text, default="")  # redacted
    # received -> answering -> answered (or ignored); received rows wait for the worker.
    status: Mapped[str] = mapped_column(String(16), index=True)
    sealed_address: Mapped[bytes | None] = mapped_column(LargeBinary)  # until answered
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class OutboxRow(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    from_address: Mapped[str] = mapped_column(String(64))  # our Twilio number
    sealed_to: Mapped[bytes | None] = mapped_column(LargeBinary)  # wiped when done
    body: Mapped[str] = mapped_column(Text)
    # pending -> sending -> sent | failed | cancelled
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(String(200))
    twilio_sid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)


class Escalation(Base):
    """A request for a caseworker (AGENT) or a message flagged as urgent."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


PERSONAL_TABLES = (Sender, OptOut, Message, OutboxRow, Escalation)
