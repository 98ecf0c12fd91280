"""Tables of the conversation store (SQLAlchemy 2.x).

Every row that concerns a person carries ``sender_id`` (the keyed hash), so
erasure and export are one query per table. No raw address, profile name or
unredacted message text is ever a column value.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Row ids are ``Integer`` columns: 32 bits on PostgreSQL (SQLite would take 64). An id
# from a URL or a form is checked against this before it reaches a query, so
# /inbox/2147483648 is a 404 or a 422 on both, never PostgreSQL's out-of-range 500.
MAX_ROW_ID = 2**31 - 1
# Triage levels of an escalation, most severe first (bot/advisor/triage).
LEVELS = ("urgent", "sensitive", "routine")


def most_severe(a: str, b: str) -> str:
    """The more severe of two levels (an unknown level counts as routine)."""
    rank = {level: i for i, level in enumerate(LEVELS)}
    return min(a, b, key=lambda level: rank.get(level, len(LEVELS) - 1))


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
    # The conversation so far (issue 13), JSON: the situation, the language and
    # nationality seen, what the last answer cited. Redacted; for the session only.
    session: Mapped[str | None] = mapped_column(Text)
    session_at: Mapped[datetime | None] = mapped_column(DateTime)
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
    # A fragment waits as gathering; joined: answered as part of a later message.
    status: Mapped[str] = mapped_column(String(16), index=True)
    sealed_address: Mapped[bytes | None] = mapped_column(LargeBinary)  # until answered
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # While 'answering': the process answering it, and until when; a live process renews
    # its leases, so a message whose lease ran out was left by a dead one (issue 17).
    leased_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)


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
    # While 'sending': the worker that claimed it, and until when (see Message).
    leased_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)


class Escalation(Base):
    """A request for a caseworker (AGENT) or a message flagged urgent or sensitive.

    At most one escalation per sender is open or claimed: a unique index over the
    rows that are not closed, so two replicas flagging one sender at once cannot
    make two conversations in the inbox.
    """

    __tablename__ = "escalations"
    __table_args__ = (
        Index("uq_escalations_one_open", "sender_id", unique=True,
              sqlite_where=text("status != 'closed'"),
              postgresql_where=text("status != 'closed'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    # The most severe triage level flagged since it was opened: urgent | sensitive | routine
    # (an AGENT request alone). The inbox sorts by it; urgent raises the alarm.
    level: Mapped[str] = mapped_column(String(16), default="routine",
                                       server_default="routine")
    # open -> claimed -> closed
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # Where a caseworker's reply goes: the user's address sealed like the outbox's,
    # and our number it came to; wiped when the escalation is closed.
    sealed_address: Mapped[bytes | None] = mapped_column(LargeBinary)
    our_address: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[int | None] = mapped_column(Integer)  # users.id
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Reply(Base):
    """What was sent back to a sender (the assistant's answer or a caseworker's), for the inbox."""

    __tablename__ = "replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(16), default="assistant")  # or "caseworker"
    user_id: Mapped[int | None] = mapped_column(Integer)  # the caseworker who wrote it
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # A caseworker's reply: its outbox row's idempotency key, so the inbox shows what
    # became of it (waiting, sent, failed, cancelled). Migration 0007.
    outbox_key: Mapped[str | None] = mapped_column(String(128))


class AskedQuestion(Base):
    """A question and the outcome of its answer, for feedback and the knowledge-gaps page.

    Text is redacted. ``sender_id`` is set for WhatsApp and SMS (so DELETE erases it),
    ``user_id`` for the caseworkers' web chat.
    """

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    sender_id: Mapped[str | None] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)  # redacted
    lang: Mapped[str | None] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))  # answered | no_answer
    reason: Mapped[str | None] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    doc_ids: Mapped[str] = mapped_column(Text, default="")  # cited documents, space-separated
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(Integer)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)  # redacted
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class RateEvent(Base):
    """A message counted against its sender's rate limit (shared by every replica)."""

    __tablename__ = "rate_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    message_sid: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class RateWarning(Base):
    """When a sender was last told they were over the limit (one polite reply per window)."""

    __tablename__ = "rate_warnings"

    sender_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)


PERSONAL_TABLES = (Sender, OptOut, Message, OutboxRow, Escalation, Reply, AskedQuestion,
                   RateEvent, RateWarning)


# The caseworkers' web app (issue 6). No sender's address or raw text here either.


def name_key(name: str) -> str:
    """What makes two user names the same: NFKC, no surrounding spaces, any case."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _name_key_of_row(context: Any) -> str:
    return name_key(context.get_current_parameters()["name"])


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # The name as sign-in compares it (NFKC, casefolded): "CW1" cannot sit beside "cw1".
    name_key: Mapped[str] = mapped_column(String(64), unique=True, default=_name_key_of_row)
    role: Mapped[str] = mapped_column(String(16))  # caseworker | editor | admin
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class WebSession(Base):
    """A signed-in browser. Only a hash of the cookie's token is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class AuditEntry(Base):
    """Who did what: sign-ins, reading and replying to conversations, re-indexing."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    user_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str | None] = mapped_column(String(64))  # e.g. "escalation:12"
    # Where it came from: the client's address, or "cli:<login>" for `bot` commands.
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)



# The published knowledge index, shared by every replica (issue 17): which generation
# is served, and each generation's snapshot (passages, documents, referrals) in parts.
# Knowledge only: no row here concerns a person.


class IndexGeneration(Base):
    """One index generation: being built, published (served), retired, or an orphan
    collection found on the Chroma server that no generation owns."""

    __tablename__ = "index_generations"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    embedder: Mapped[str | None] = mapped_column(String(200))
    embedder_key: Mapped[str | None] = mapped_column(String(200))
    documents: Mapped[int] = mapped_column(Integer, default=0)
    passages: Mapped[int] = mapped_column(Integer, default=0)
    referrals: Mapped[int] = mapped_column(Integer, default=0)
    languages: Mapped[str] = mapped_column(String(200), default="")  # "am en fr ..."
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    snapshot_bytes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When it stopped being served, or (an orphan) when it was first seen.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)


class IndexSnapshotPart(Base):
    """A slice of a generation's gzipped snapshot (parts keep each value a few MiB)."""

    __tablename__ = "index_snapshot_parts"

    generation: Mapped[str] = mapped_column(
        ForeignKey("index_generations.name", ondelete="CASCADE"), primary_key=True
    )
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class IndexPointer(Base):
    """The generation every replica serves: one row, slot 'current'."""

    __tablename__ = "index_pointer"

    slot: Mapped[str] = mapped_column(String(16), primary_key=True)
    generation: Mapped[str] = mapped_column(String(64))
    switched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
