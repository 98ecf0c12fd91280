"""The persisted outbox: replies that go out through the Twilio REST API.

A reply is queued once (its idempotency key is unique), claimed by one worker
at a time (``pending`` -> ``sending`` in one conditional UPDATE), and survives a
restart: rows a dead process left in ``sending`` go back to ``pending``. The
parts of one reply go out in order: only the oldest waiting row of each
conversation is due. Once a row is done (sent, failed, cancelled) its address is
wiped and its body kept only redacted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.db import Database
from bot.store.models import OutboxRow, utcnow
from bot.store.redact import redact

WAITING = ("pending", "sending")


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


class Outbox:
    def __init__(self, db: Database) -> None:
        self.db = db

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
                    s.add(OutboxRow(idempotency_key=f"{key}#{i}", sender_id=sender_id,
                                    channel=channel, from_address=from_address,
                                    sealed_to=sealed_to, body=body))
        except IntegrityError:
            return False
        return True

    def claim_due(self, limit: int = 10, now: datetime | None = None) -> list[OutboxItem]:
        now = now or utcnow()
        claimed: list[OutboxItem] = []
        with self.db.session() as s:
            rows = s.scalars(
                select(OutboxRow).where(OutboxRow.status.in_(WAITING)).order_by(OutboxRow.id)
            ).all()
            heads: dict[tuple[str, str], OutboxRow] = {}
            for row in rows:
                heads.setdefault((row.sender_id, row.channel), row)
            for row in heads.values():
                if len(claimed) >= limit:
                    break
                if row.status != "pending" or row.next_attempt_at > now:
                    continue
                won = s.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row.id, OutboxRow.status == "pending")
                    .values(status="sending")
                ).rowcount  # type: ignore[attr-defined]
                if won:
                    claimed.append(OutboxItem(row.id, row.idempotency_key, row.sender_id,
                                              row.channel, row.from_address, row.sealed_to,
                                              row.body, row.attempts))
        return claimed

    def _set(self, item_id: int, **values: object) -> None:
        with self.db.session() as s:
            s.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(**values))

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
        with self.db.session() as s:
            result = s.execute(
                update(OutboxRow).where(OutboxRow.status == "sending").values(status="pending")
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
