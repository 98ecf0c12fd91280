"""The caseworkers' inbox: conversations flagged urgent or sensitive, or handed over with AGENT.

Each carries the most severe triage level flagged since it was opened; the
list puts urgent conversations first (the page raises an alarm for them), then
sensitive ones, then the rest.

An escalation is one conversation (one per sender: ``Conversations.escalate``
updates or reopens it). A caseworker claims it, reads the redacted messages
and what was sent back (``bot.store.records``), replies through the user's
channel (``bot.channels.twilio.delivery`` queues the reply in the outbox, to
the address sealed on the escalation, once ``window`` and ``may_reply`` allow
it) and closes it, which wipes the sealed address.

Nothing here knows about HTTP: the web routes turn ``InboxError`` into pages.
Times are naive UTC, like every column of the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from bot.errors import BotError
from bot.store.db import Database
from bot.store.models import (
    LEVELS,
    AskedQuestion,
    Escalation,
    Message,
    OptOut,
    Reply,
    Sender,
    User,
    utcnow,
)
from bot.store.outbox import Outbox, Sending

# WhatsApp allows a free-form message only this long after the user's last message
# (after that only approved templates; Twilio error 63016). SMS has no such window.
WHATSAPP_WINDOW = timedelta(hours=24)
MAX_THREAD = 500  # the most recent entries shown
ACTIVE = ("open", "claimed")
Show = Literal["active", "closed", "all"]


class InboxError(BotError):
    """An inbox action that cannot be done; ``status`` is the HTTP status it maps to."""

    status = 409


class NotFound(InboxError):
    status = 404


class NotAllowed(InboxError):
    status = 403


GONE = ("This conversation no longer exists: the user erased their data (DELETE), "
        "or it expired under the retention period.")


@dataclass(frozen=True)
class InboxItem:
    id: int
    label: str  # "Conversation #12": never the sender's number
    sender_id: str
    reasons: tuple[str, ...]  # "agent" (asked for a person), "urgent", "sensitive"
    level: str  # urgent | sensitive | routine: the most severe flagged while open
    channel: str
    status: str  # open | claimed | closed
    lang: str | None
    country: str | None
    claimed_by_id: int | None
    claimed_by: str | None  # the caseworker's name
    flagged_at: datetime  # the last time it was flagged
    last_message_at: datetime | None  # the user's last inbound message
    closed_at: datetime | None
    has_address: bool


@dataclass(frozen=True)
class Entry:
    """One line of the thread: the user's (redacted) message or a reply sent to them."""

    at: datetime
    kind: Literal["user", "assistant", "caseworker"]
    channel: str
    body: str
    author: str | None = None  # the caseworker's name
    reply_id: int | None = None
    user_id: int | None = None  # the caseworker who wrote it
    sending: Sending | None = None  # a caseworker's reply: its delivery (None: not kept)


@dataclass(frozen=True)
class Window:
    """Whether a reply can go out now, and if not, why (shown to the caseworker)."""

    open: bool
    reason: str | None = None
    closes_at: datetime | None = None  # WhatsApp: when the 24-hour window ends


def label(escalation_id: int) -> str:
    return f"Conversation #{escalation_id}"


class Inbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    # Reading.

    def conversations(self, show: Show = "active", limit: int = 200) -> list[InboxItem]:
        """Open and claimed conversations first, then closed ones; in each, urgent first,
        then sensitive, then the rest, newest first."""
        query = select(Escalation)
        if show == "active":
            query = query.where(Escalation.status.in_(ACTIVE))
        elif show == "closed":
            query = query.where(Escalation.status == "closed")
        closed_last = case((Escalation.status == "closed", 1), else_=0)
        severity = case({level: i for i, level in enumerate(LEVELS)}, value=Escalation.level,
                        else_=len(LEVELS))
        query = query.order_by(closed_last, severity, Escalation.created_at.desc(),
                               Escalation.id.desc()).limit(limit)
        with self.db.session() as s:
            rows = list(s.scalars(query))
            return self._items(s, rows)

    def get(self, escalation_id: int) -> InboxItem:
        """The conversation; ``NotFound`` when it is gone (erased or expired)."""
        with self.db.session() as s:
            row = s.get(Escalation, escalation_id)
            if row is None:
                raise NotFound(GONE)
            return self._items(s, [row])[0]

    def thread(self, escalation_id: int) -> list[Entry]:
        """The user's messages and the replies sent to them, oldest first."""
        item = self.get(escalation_id)
        with self.db.session() as s:
            messages = s.scalars(
                select(Message).where(Message.sender_id == item.sender_id)
                .order_by(Message.created_at.desc(), Message.id.desc()).limit(MAX_THREAD)
            ).all()
            replies = s.scalars(
                select(Reply).where(Reply.sender_id == item.sender_id)
                .order_by(Reply.created_at.desc(), Reply.id.desc()).limit(MAX_THREAD)
            ).all()
            names = _user_names(s, {r.user_id for r in replies if r.user_id})
        sending = Outbox(self.db).states([r.outbox_key for r in replies if r.outbox_key])
        entries = [(m.created_at, 0, m.id, Entry(m.created_at, "user", m.channel, m.body))
                   for m in messages]
        entries += [
            (r.created_at, 1, r.id,
             Entry(r.created_at, "caseworker" if r.author == "caseworker" else "assistant",
                   r.channel, r.body, names.get(r.user_id) if r.user_id else None,
                   r.id, r.user_id, sending.get(r.outbox_key or "")))
            for r in replies
        ]
        entries.sort(key=lambda e: (e[0], e[1], e[2]))
        return [e[3] for e in entries[-MAX_THREAD:]]

    def window(self, escalation_id: int, now: datetime | None = None) -> Window:
        """Can a reply go out now? WhatsApp: within 24 hours of the user's last message."""
        item = self.get(escalation_id)
        return self._window(item, now or utcnow())

    def _window(self, item: InboxItem, now: datetime) -> Window:
        if item.status == "closed":
            return Window(False, "This conversation is closed: the user's address was "
                                 "wiped. The user can write again to reopen it.")
        if not item.has_address:
            return Window(False, "The user's address is not kept for this conversation, "
                                 "so no reply can be sent.")
        with self.db.session() as s:
            if s.get(OptOut, (item.sender_id, item.channel)) is not None:
                return Window(False, f"The user opted out of {item.channel} messages (STOP): "
                                     "nothing can be sent until they write START.")
            if item.channel != "whatsapp":
                return Window(True)
            last = s.scalar(select(func.max(Message.created_at)).where(
                Message.sender_id == item.sender_id, Message.channel == "whatsapp"))
        if last is None:
            return Window(False, "WhatsApp allows a free-form reply only within 24 hours of "
                                 "the user's last message, and no message from this user "
                                 "is kept any more.")
        closes = last + WHATSAPP_WINDOW
        if now >= closes:
            return Window(False, "WhatsApp allows a free-form reply only within 24 hours of "
                                 "the user's last message; the last one came "
                                 f"{_ago(now - last)} ago. The reply can be sent once the "
                                 "user writes again.", closes)
        return Window(True, None, closes)

    def may_reply(self, item: InboxItem, user_id: int, is_admin: bool) -> str | None:
        """Why this user may not reply (claimed by someone else), or None."""
        if item.status == "claimed" and item.claimed_by_id != user_id and not is_admin:
            return (f"{item.claimed_by or 'Another caseworker'} has claimed this conversation: "
                    "only they (or an administrator) can reply or close it.")
        return None

    # Acting.

    def claim(self, escalation_id: int, user_id: int, take_over: bool = False) -> bool:
        """Take the conversation; True when it changed hands (False: it was yours already).

        An open one can be claimed by anyone; a claimed one only by an administrator
        (``take_over``); a closed one by no one. Compare-and-set: of two caseworkers
        claiming at once, one wins and the other is told.
        """
        with self.db.session() as s:
            row = s.get(Escalation, escalation_id)
            if row is None:
                raise NotFound(GONE)
            if row.status == "closed":
                raise InboxError("This conversation is closed; it cannot be claimed.")
            if row.status == "claimed" and row.claimed_by == user_id:
                return False
            if row.status == "claimed" and not take_over:
                holder = _user_names(s, {row.claimed_by}).get(row.claimed_by or 0)
                raise InboxError(f"{holder or 'Another caseworker'} has claimed this "
                                 "conversation already.")
            holder_was = (Escalation.claimed_by.is_(None) if row.claimed_by is None
                          else Escalation.claimed_by == row.claimed_by)
            won = s.execute(
                update(Escalation)
                .where(Escalation.id == escalation_id, Escalation.status == row.status,
                       holder_was)
                .values(status="claimed", claimed_by=user_id)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
        if not won:
            raise InboxError("Someone else claimed or closed this conversation at the same "
                             "moment: reload the page.")
        return True

    def reply_address(self, escalation_id: int) -> tuple[bytes | None, str]:
        """Where a reply goes: the user's sealed address and our number they wrote to."""
        with self.db.session() as s:
            row = s.get(Escalation, escalation_id)
            if row is None:
                raise NotFound(GONE)
            return row.sealed_address, row.our_address or ""

    def close(self, escalation_id: int, user_id: int, is_admin: bool = False) -> bool:
        """Close the conversation and wipe the sealed address; False when it was closed."""
        item = self.get(escalation_id)
        if item.status == "closed":
            return False
        refused = self.may_reply(item, user_id, is_admin)
        if refused:
            raise NotAllowed(refused)
        with self.db.session() as s:
            s.execute(update(Escalation).where(Escalation.id == escalation_id)
                      .values(status="closed", closed_at=utcnow(), sealed_address=None,
                              our_address=None))
        return True

    # Building the items.

    def _items(self, s: Session, rows: Sequence[Escalation]) -> list[InboxItem]:
        if not rows:
            return []
        senders = {r.sender_id for r in rows}
        prefs = {p.sender_id: p for p in s.scalars(
            select(Sender).where(Sender.sender_id.in_(senders)))}
        asked: dict[str, AskedQuestion] = {}
        for question in s.scalars(select(AskedQuestion)
                                  .where(AskedQuestion.sender_id.in_(senders))
                                  .order_by(AskedQuestion.id)):
            asked[question.sender_id or ""] = question  # the latest one wins
        last = dict(s.execute(  # type: ignore[arg-type]
            select(Message.sender_id, func.max(Message.created_at))
            .where(Message.sender_id.in_(senders)).group_by(Message.sender_id)
        ).all())
        names = _user_names(s, {r.claimed_by for r in rows if r.claimed_by})
        items = []
        for r in rows:
            p, q = prefs.get(r.sender_id), asked.get(r.sender_id)
            items.append(InboxItem(
                id=r.id, label=label(r.id), sender_id=r.sender_id,
                reasons=tuple(x for x in r.reason.split(",") if x), channel=r.channel,
                level=r.level or "routine", status=r.status,
                lang=(p.lang if p else None) or (q.lang if q else None),
                country=(p.country if p else None) or (q.country if q else None),
                claimed_by_id=r.claimed_by,
                claimed_by=names.get(r.claimed_by) if r.claimed_by else None,
                flagged_at=r.created_at, last_message_at=last.get(r.sender_id),
                closed_at=r.closed_at, has_address=r.sealed_address is not None,
            ))
        return items


def _user_names(s: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u.name for u in s.scalars(select(User).where(User.id.in_(wanted)))}


def _ago(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"
