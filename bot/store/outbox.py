"""The persisted outbox: replies that go out through the Twilio REST API.

A reply is queued once (its idempotency key is unique) and claimed by one worker
at a time, for a lease: ``pending`` -> ``sending`` with ``leased_by`` and
``lease_until``. On PostgreSQL the claim is ``SELECT ... FOR UPDATE SKIP LOCKED``,
so workers of several replicas never take the same row and never wait on each
other; on SQLite (one process) the conditional UPDATE alone decides. A row whose
lease ran out was left by a dead worker and is due again: taken over by any
living one, with no reset at start-up that would touch rows others are sending.
The parts of one reply go out in order: only the oldest waiting row of each
conversation is due. Once a row is done (sent, failed, cancelled) its address is
wiped and its body kept only redacted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from bot.store.db import Database
from bot.store.models import OutboxRow, utcnow
from bot.store.redact import redact

WAITING = ("pending", "sending")
DEFAULT_LEASE = timedelta(seconds=30)


def part_key(key: str, part: int = 1) -> str:
    """The idempotency key of one part of the reply queued under ``key`` (from 1)."""
    return f"{key}#{part}"


@dataclass(frozen=True)
class OutboxItem:
    id: int
    idempotency_key: str
    sender_id: str
    channel: str
    from_address: str
    sealed_to: bytes | None
    body: str
    attempts: int


@dataclass(frozen=True)
class Sending:
    """What became of a queued reply: its row's state, and why (for the inbox)."""

    status: str  # pending | sending | sent | failed | cancelled
    attempts: int
    reason: str | None  # the last error: a Twilio code, "opted out", ...
    done_at: datetime | None
    waiting_text: str | None  # the text as queued, while it waits (then only redacted)


class Outbox:
    def __init__(self, db: Database, lease: timedelta = DEFAULT_LEASE) -> None:
        self.db = db
        self.lease = lease

    def enqueue(
        self,
        key: str,
        sender_id: str,
        channel: str,
        from_address: str,
        sealed_to: bytes,
        bodies: list[str],
    ) -> bool:
        """Queue the parts of one reply; False when this key was queued before."""
        try:
            with self.db.session() as s:
                for i, body in enumerate(bodies, start=1):
                    s.add(OutboxRow(idempotency_key=part_key(key, i), sender_id=sender_id,
                                    channel=channel, from_address=from_address,
                                    sealed_to=sealed_to, body=body))
        except IntegrityError:
            return False
        return True

    def claim_due(self, limit: int = 10, now: datetime | None = None) -> list[OutboxItem]:
        """Lease up to ``limit`` due rows to this process: each the head of its conversation,
        pending and past its backoff, or sending under a lease that ran out."""
        now = now or utcnow()
        row, earlier = OutboxRow, aliased(OutboxRow)
        due = or_(and_(row.status == "pending", row.next_attempt_at <= now),
                  and_(row.status == "sending",  # left by a dead worker (or before leases)
                       or_(row.lease_until.is_(None), row.lease_until < now)))
        head = ~exists().where(earlier.sender_id == row.sender_id,
                               earlier.channel == row.channel,
                               earlier.status.in_(WAITING), earlier.id < row.id)
        with self.db.session() as s:
            rows = s.scalars(
                select(row).where(due, head).order_by(row.id).limit(limit)
                .with_for_update(skip_locked=True)  # not rendered on SQLite
            ).all()
            claimed: list[OutboxItem] = []
            for r in rows:
                won = s.execute(
                    update(OutboxRow).where(OutboxRow.id == r.id, due)
                    .values(status="sending", leased_by=self.db.owner,
                            lease_until=now + self.lease)
                    .execution_options(synchronize_session=False)
                ).rowcount  # type: ignore[attr-defined]
                if won:
                    claimed.append(OutboxItem(r.id, r.idempotency_key, r.sender_id, r.channel,
                                              r.from_address, r.sealed_to, r.body, r.attempts))
        return claimed

    def renew(self, now: datetime | None = None) -> int:
        """Extend the leases this process holds (its worker is alive); how many."""
        now = now or utcnow()
        with self.db.session() as s:
            result = s.execute(
                update(OutboxRow)
                .where(OutboxRow.status == "sending", OutboxRow.leased_by == self.db.owner)
                .values(lease_until=now + self.lease)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def _set(self, item_id: int, **values: object) -> None:
        with self.db.session() as s:
            s.execute(update(OutboxRow).where(OutboxRow.id == item_id)
                      .values(leased_by=None, lease_until=None, **values))

    def _done(self, item_id: int, **values: object) -> None:
        """Sent or given up: the address is wiped and the body kept only redacted (a
        caseworker's reply may hold a number or a name they typed)."""
        with self.db.session() as s:
            row = s.get(OutboxRow, item_id)
            if row is None:  # erased meanwhile (DELETE)
                return
            for name, value in values.items():
                setattr(row, name, value)
            row.body, row.sealed_to, row.done_at = redact(row.body), None, utcnow()
            row.leased_by, row.lease_until = None, None
            row.attempts = row.attempts + 1

    def mark_sent(self, item_id: int, twilio_sid: str | None) -> None:
        self._done(item_id, status="sent", twilio_sid=twilio_sid)

    def mark_retry(self, item_id: int, error: str, delay: float) -> None:
        self._set(item_id, status="pending", last_error=error[:200],
                  attempts=OutboxRow.attempts + 1,
                  next_attempt_at=utcnow() + timedelta(seconds=delay))

    def mark_failed(self, item_id: int, error: str) -> None:
        """Given up (opted out, outside the WhatsApp window, too many attempts): recorded."""
        self._done(item_id, status="failed", last_error=error[:200])

    def cancel(self, sender_id: str, channel: str, reason: str = "opted out") -> int:
        with self.db.session() as s:
            ids = s.scalars(
                update(OutboxRow)
                .where(OutboxRow.sender_id == sender_id, OutboxRow.channel == channel,
                       OutboxRow.status == "pending")
                .values(status="cancelled", last_error=reason, sealed_to=None,
                        done_at=utcnow())
                .returning(OutboxRow.id)
            ).all()
        with self.db.session() as s:
            for row in s.scalars(select(OutboxRow).where(OutboxRow.id.in_(ids))):
                row.body = redact(row.body)
        return len(ids)

    def reset_orphans(self) -> int:
        """Every row left 'sending' is pending again. Only for a database no other process
        uses (a guarded SQLite file, at start-up); replicas rely on the leases instead."""
        with self.db.session() as s:
            result = s.execute(
                update(OutboxRow).where(OutboxRow.status == "sending")
                .values(status="pending", leased_by=None, lease_until=None)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def sent_sids(self, *sender_ids: str) -> list[str]:
        with self.db.session() as s:
            return [
                sid for sid in s.scalars(
                    select(OutboxRow.twilio_sid).where(OutboxRow.sender_id.in_(sender_ids))
                ) if sid
            ]

    def waiting(self, *sender_ids: str) -> int:
        """Replies queued for these senders and not sent yet (answers, caseworkers')."""
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(OutboxRow).where(
                OutboxRow.sender_id.in_(sender_ids), OutboxRow.status.in_(WAITING))) or 0)

    def states(self, keys: list[str]) -> dict[str, Sending]:
        """The state of the rows with these idempotency keys (a purged row is missing)."""
        found: dict[str, Sending] = {}
        with self.db.session() as s:
            for start in range(0, len(keys), 200):
                for row in s.scalars(select(OutboxRow).where(
                        OutboxRow.idempotency_key.in_(keys[start:start + 200]))):
                    waiting = row.body if row.status in WAITING else None
                    found[row.idempotency_key] = Sending(row.status, row.attempts,
                                                         row.last_error, row.done_at, waiting)
        return found
