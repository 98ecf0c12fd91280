"""Senders, their inbound messages and preferences, opt-outs, escalations, erasure.

Every method is one short transaction. The inbound insert is the dedupe: the
unique ``sid`` makes a Twilio retry or a concurrent duplicate fail atomically,
never check-then-mark, across every replica on the database. A message being
answered is leased to its process (``leased_by``, ``lease_until``), which renews
the lease while it lives; one whose lease ran out is answered again by another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.db import Database
from bot.store.models import (
    LEVELS,
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
    most_severe,
    utcnow,
)
from bot.store.ratelimits import answers_book
from bot.store.redact import redact

FOLLOW_UP_WINDOW = timedelta(minutes=30)
DEFAULT_LEASE = timedelta(seconds=30)
GATHERING = "gathering"  # a fragment waiting to be joined with what the sender writes next


@dataclass(frozen=True)
class SenderPrefs:
    sender_id: str
    lang: str | None
    country: str | None
    last_question: str | None  # only when recent enough to be a follow-up
    new: bool = False  # first contact: this call created the sender
    # The conversation so far (the channel's JSON), only while the session lasts.
    session: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InboundRow:
    sid: str
    sender_id: str
    channel: str
    our_address: str
    body: str
    sealed_address: bytes | None


class Conversations:
    def __init__(self, db: Database, lease: timedelta = DEFAULT_LEASE) -> None:
        self.db = db
        self.lease = lease

    def _waiting(self, now: datetime) -> ColumnElement[bool]:
        """Messages to answer: received, or left 'answering' or 'gathering' (a fragment
        window being waited out) by a process that died. A gathering row stored before
        gathering had a lease waits once it is older than a lease."""
        return or_(Message.status == "received",
                   and_(Message.status == "answering",
                        or_(Message.lease_until.is_(None), Message.lease_until < now)),
                   and_(Message.status == GATHERING,
                        or_(Message.lease_until < now,
                            and_(Message.lease_until.is_(None),
                                 Message.created_at < now - self.lease))))

    # Senders and preferences.

    def touch(self, sender_id: str, country: str | None = None,
              session_for: timedelta = FOLLOW_UP_WINDOW) -> SenderPrefs:
        """The sender's preferences, creating the sender on first contact; the session
        and the last question only when younger than ``session_for``."""
        now = utcnow()
        new = False
        try:
            with self.db.session() as s:
                s.add(Sender(sender_id=sender_id, country=country, created_at=now,
                             last_seen_at=now))
            new = True
        except IntegrityError:
            pass  # known already, or created by a concurrent request
        with self.db.session() as s:
            row = s.get(Sender, sender_id)
            assert row is not None
            row.last_seen_at = now
            recent = row.last_question_at is not None and (
                now - row.last_question_at <= session_for
            )
            live = row.session_at is not None and now - row.session_at <= session_for
            return SenderPrefs(
                sender_id, row.lang, row.country, row.last_question if recent else None, new,
                _session(row.session) if live else {},
            )

    def known(self, sender_id: str) -> bool:
        """False once the sender has erased their data (DELETE) or was purged."""
        with self.db.session() as s:
            return s.get(Sender, sender_id) is not None

    def _update_sender(self, sender_id: str, **values: Any) -> None:
        with self.db.session() as s:
            s.execute(update(Sender).where(Sender.sender_id == sender_id).values(**values))

    def set_lang(self, sender_id: str, lang: str) -> None:
        self._update_sender(sender_id, lang=lang)

    def set_last_question(self, sender_id: str, text: str) -> None:
        self._update_sender(
            sender_id, last_question=redact(text)[:500], last_question_at=utcnow()
        )

    def set_session(self, sender_id: str, session: dict[str, Any]) -> None:
        """Keep the conversation so far; its text values are redacted here."""
        clean = {k: redact(v) if isinstance(v, str) else v for k, v in session.items()}
        self._update_sender(sender_id, session=json.dumps(clean, ensure_ascii=False)[:8000],
                            session_at=utcnow())

    def set_pending_more(self, sender_id: str, rest: str | None) -> None:
        self._update_sender(sender_id, pending_more=rest)

    def take_pending_more(self, sender_id: str) -> str | None:
        with self.db.session() as s:
            row = s.get(Sender, sender_id)
            if row is None or not row.pending_more:
                return None
            rest, row.pending_more = row.pending_more, None
            return rest

    # Inbound messages.

    def record_inbound(
        self,
        sid: str,
        sender_id: str,
        channel: str,
        our_address: str,
        body: str,
        sealed_address: bytes | None,
        status: str,
    ) -> bool:
        """Store a new message, redacted; False when this ``sid`` was already stored.
        Stored as ``answering`` or ``gathering``, it is leased to this process (another
        answers it if this one dies meanwhile)."""
        lease: dict[str, Any] = {}
        if status in ("answering", GATHERING):
            lease = {"leased_by": self.db.owner, "lease_until": utcnow() + self.lease}
        try:
            with self.db.session() as s:
                s.add(Message(sid=sid, sender_id=sender_id, channel=channel,
                              our_address=our_address, body=redact(body), status=status,
                              sealed_address=sealed_address, **lease))
        except IntegrityError:
            return False
        return True

    def claim_inbound(self, sid: str, status: str = "received") -> bool:
        """Lease a message waiting in ``status`` to this process (``answering``); only one
        caller wins. "received" also takes back one whose answering process died."""
        now = utcnow()
        waiting = self._waiting(now) if status == "received" else Message.status == status
        with self.db.session() as s:
            result = s.execute(
                update(Message)
                .where(Message.sid == sid, waiting)
                .values(status="answering", leased_by=self.db.owner,
                        lease_until=now + self.lease)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def renew(self, now: datetime | None = None) -> int:
        """Extend the leases of the messages this process is answering or gathering;
        how many."""
        now = now or utcnow()
        with self.db.session() as s:
            result = s.execute(
                update(Message)
                .where(Message.status.in_(("answering", GATHERING)),
                       Message.leased_by == self.db.owner)
                .values(lease_until=now + self.lease)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def finish_inbound(self, sid: str, status: str = "answered") -> None:
        with self.db.session() as s:
            s.execute(
                update(Message).where(Message.sid == sid)
                .values(status=status, sealed_address=None, leased_by=None, lease_until=None)
            )

    def take_fragments(self, sender_id: str, sid: str) -> list[str] | None:
        """The fragments to answer with the message ``sid``, oldest first (their stored,
        redacted bodies), which are then answered; None when a later message of the
        sender is gathering too: that one answers them all.

        Only the newest gathering message claims; the others become ``joined``.
        """
        with self.db.session() as s:
            rows = s.scalars(
                select(Message).where(Message.sender_id == sender_id,
                                      Message.status == GATHERING).order_by(Message.id)
            ).all()
            mine = next((r for r in rows if r.sid == sid), None)
            if mine is None or rows[-1].sid != sid:
                return None
            earlier = [r for r in rows if r.id < mine.id]
            won = s.execute(
                update(Message).where(Message.id == mine.id, Message.status == GATHERING)
                .values(status="answering", leased_by=self.db.owner,
                        lease_until=utcnow() + self.lease)
            ).rowcount  # type: ignore[attr-defined]
            if not won:
                return None
            joined = []
            for r in earlier:
                taken = s.execute(
                    update(Message).where(Message.id == r.id, Message.status == GATHERING)
                    .values(status="joined", sealed_address=None)
                ).rowcount  # type: ignore[attr-defined]
                if taken:
                    joined.append(r.body)
            return joined

    def defer_inbound(self, sid: str, body: str | None = None) -> None:
        """Leave a message for the outbox worker to answer (keeps its sealed address);
        ``body``: what to answer instead of its own text (fragments joined), redacted."""
        values: dict[str, Any] = {"status": "received", "leased_by": None, "lease_until": None}
        if body is not None:
            values["body"] = redact(body)
        with self.db.session() as s:
            s.execute(update(Message).where(Message.sid == sid).values(**values))

    def reset_orphans(self) -> int:
        """At start-up, on a database no other process uses (a guarded SQLite file):
        messages a dead process was answering or gathering wait again. Replicas use the
        leases."""
        with self.db.session() as s:
            result = s.execute(
                update(Message).where(Message.status.in_(("answering", GATHERING)))
                .values(status="received", leased_by=None, lease_until=None)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def waiting_inbound(self, limit: int = 20) -> list[InboundRow]:
        """Messages to answer through the outbox: received while loading, or left by a
        process that died while answering (its lease ran out)."""
        with self.db.session() as s:
            rows = s.scalars(
                select(Message).where(self._waiting(utcnow()))
                .order_by(Message.id).limit(limit)
            ).all()
            return [InboundRow(r.sid, r.sender_id, r.channel, r.our_address, r.body,
                               r.sealed_address) for r in rows]

    def set_inbound_body(self, sid: str, body: str) -> None:
        """Replace what is kept of a message (a photo's placeholder once it was read)."""
        with self.db.session() as s:
            s.execute(update(Message).where(Message.sid == sid).values(body=redact(body)))

    def stale_inbound(self, status: str, before: datetime, limit: int = 20) -> list[InboundRow]:
        """Messages left in ``status`` since before ``before`` (a photo whose reader died)."""
        with self.db.session() as s:
            rows = s.scalars(
                select(Message).where(Message.status == status, Message.created_at < before)
                .order_by(Message.id).limit(limit)
            ).all()
            return [InboundRow(r.sid, r.sender_id, r.channel, r.our_address, r.body,
                               r.sealed_address) for r in rows]

    def inbound_sids(self, sender_id: str) -> list[str]:
        with self.db.session() as s:
            return list(s.scalars(select(Message.sid).where(Message.sender_id == sender_id)))

    # Opt-out and escalations.

    def opt_out(self, sender_id: str, channel: str) -> None:
        try:
            with self.db.session() as s:
                s.add(OptOut(sender_id=sender_id, channel=channel))
        except IntegrityError:
            pass

    def opt_in(self, sender_id: str, channel: str) -> None:
        with self.db.session() as s:
            s.execute(delete(OptOut).where(OptOut.sender_id == sender_id,
                                           OptOut.channel == channel))

    def opted_out(self, sender_id: str, channel: str) -> bool:
        with self.db.session() as s:
            return s.get(OptOut, (sender_id, channel)) is not None

    def escalate(self, sender_id: str, channel: str, reason: str,
                 sealed_address: bytes | None = None, our_address: str | None = None) -> int:
        """Flag the sender for a caseworker; the escalation's id.

        ``reason`` is "urgent" or "sensitive" (the triage level of a message) or
        "agent" (the user asked for a person). One escalation per sender at a
        time: while one is open or claimed it is updated (reasons merged, the
        level raised to the most severe, the address where a reply goes
        refreshed); a closed one is reopened at the new level. ``created_at`` is
        the last time it was flagged. A unique index over the escalations that
        are not closed keeps it so when two processes flag one sender at once:
        the one that loses tries again and finds the other's.
        """
        for attempt in range(3):
            try:
                return self._escalate(sender_id, channel, reason, sealed_address, our_address)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _escalate(self, sender_id: str, channel: str, reason: str,
                  sealed_address: bytes | None, our_address: str | None) -> int:
        now = utcnow()
        level = reason if reason in LEVELS else "routine"
        with self.db.session() as s:
            row = s.scalars(select(Escalation).where(Escalation.sender_id == sender_id)
                            .order_by((Escalation.status == "closed").asc(),
                                      Escalation.id.desc())
                            .limit(1).with_for_update()).first()
            if row is None:
                row = Escalation(sender_id=sender_id, channel=channel, reason=reason,
                                 status="open", level=level)
                s.add(row)
            else:
                reasons = {reason}
                if row.status == "closed":  # reopened, for whoever takes it
                    row.status, row.claimed_by, row.closed_at = "open", None, None
                    row.level = level
                else:
                    reasons.update(row.reason.split(","))
                    row.level = most_severe(row.level, level)
                row.reason = ",".join(sorted(reasons))[:32]
            row.created_at = now
            if sealed_address is not None:  # a reply goes where the user wrote last
                row.channel = channel
                row.sealed_address, row.our_address = sealed_address, our_address
            s.flush()
            return row.id

    # Erasure, export, retention.

    def delete_sender(self, sender_id: str, *also: str) -> int:
        """Erase every row tied to the sender (under each of its ids: ``also`` holds the id
        under a previous key), in one transaction, then scrub the database files so the
        erased text is gone from them too; the number of rows."""
        ids = [sender_id, *also]
        ids += [answers_book(i) for i in ids]  # their rate-limit counts (ratelimits.py)
        removed = 0
        with self.db.session() as s:
            for table in PERSONAL_TABLES:
                column = table.sender_id  # type: ignore[attr-defined]
                result = s.execute(delete(table).where(column.in_(ids)))
                removed += int(result.rowcount)  # type: ignore[attr-defined]
        self.db.scrub()
        return removed

    def unanswered(self, *sender_ids: str) -> int:
        """Messages stored and waiting to be answered by the worker (not yet answered)."""
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(Message).where(
                Message.sender_id.in_(sender_ids), Message.status == "received")) or 0)

    def rekey(self, old_id: str, new_id: str) -> int:
        """After a key rotation: move a sender's rows from the old id to the new one; the
        number of rows moved. A row the new id has already (its preferences, an opt-out)
        wins over the old one."""
        if old_id == new_id:
            return 0
        moved = 0
        with self.db.session() as s:
            for table in PERSONAL_TABLES:
                column = table.sender_id  # type: ignore[attr-defined]
                if table in (Sender, OptOut):
                    keys = [c.name for c in table.__table__.primary_key]
                    others = [k for k in keys if k != "sender_id"]
                    have = {tuple(getattr(r, k) for k in others)
                            for r in s.scalars(select(table).where(column == new_id))}
                    for row in s.scalars(select(table).where(column == old_id)).all():
                        if tuple(getattr(row, k) for k in others) in have:
                            s.delete(row)
                    s.flush()
                result = s.execute(update(table).where(column == old_id)
                                   .values(sender_id=new_id))
                moved += int(result.rowcount)  # type: ignore[attr-defined]
        return moved

    def export(self, sender_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every stored row about the sender, table by table (a subject access request)."""
        out: dict[str, list[dict[str, Any]]] = {}
        ids = [sender_id, answers_book(sender_id)]
        with self.db.session() as s:
            for table in PERSONAL_TABLES:
                column = table.sender_id  # type: ignore[attr-defined]
                rows = s.scalars(select(table).where(column.in_(ids))).all()
                out[table.__tablename__] = [
                    {c.name: getattr(r, c.key) for c in table.__table__.columns}
                    for r in rows
                ]
        return out

    def purge(self, older_than: datetime) -> dict[str, int]:
        """Hard-delete what is older than the cut-off; the number of rows per table."""
        counts: dict[str, int] = {}
        with self.db.session() as s:
            for table, column in (
                (Message, Message.created_at),
                (OutboxRow, OutboxRow.created_at),
                (Escalation, Escalation.created_at),
                (Reply, Reply.created_at),
                (AskedQuestion, AskedQuestion.created_at),
                (OptOut, OptOut.created_at),
                (RateEvent, RateEvent.created_at),
                (RateWarning, RateWarning.created_at),
                (Sender, Sender.last_seen_at),
            ):
                result = s.execute(delete(table).where(column < older_than))
                counts[table.__tablename__] = int(result.rowcount)  # type: ignore[attr-defined]
        self.db.scrub()
        return counts


def _session(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
