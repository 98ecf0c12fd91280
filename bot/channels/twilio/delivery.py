"""What goes back to a WhatsApp or SMS user after the webhook has answered.

Replies that leave through Twilio's REST API, by way of the persisted outbox:
an answer that took longer than the webhook may wait, a message stored while
the assistant was loading (answered here once it is ready), and a caseworker's
reply from the inbox. The outbox worker (``worker.py``) sends what is queued;
``send`` is one attempt. Erasure (DELETE) also deletes the conversation at
Twilio. What is sent back is recorded for the caseworkers' inbox, never after
an erasure. Nothing here logs a body or a number.
"""

from __future__ import annotations

import logging
import random
import re
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

from bot.advisor.models import Question
from bot.advisor.runtime import Runtime
from bot.channels.render.limits import TWILIO_MAX_BODY, utf16_units
from bot.channels.twilio.answering import Answering
from bot.channels.twilio.country import located
from bot.channels.twilio.erasure import Eraser, Erasure
from bot.channels.twilio.sender import MessageSender
from bot.channels.twilio.webhook import Inbound
from bot.store import Conversations, InboundRow, Outbox, OutboxItem
from bot.store.identity import Identity
from bot.store.inbox import Inbox, InboxError, NotAllowed
from bot.store.models import utcnow
from bot.store.outbox import part_key
from bot.store.records import Records
from bot.store.redact import redact

log = logging.getLogger(__name__)
MAX_BACKOFF = 600.0
# Invisible and direction-changing characters a caseworker's reply may not carry (as in
# knowledge fields); the joiners U+200C and U+200D stay: scripts and emoji need them.
HIDDEN = re.compile("[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
                    "\u2066-\u2069\ufeff]")


class BadReply(InboxError):
    status = 400


@dataclass(frozen=True)
class ReplyResult:
    queued: bool  # False: this reply (its nonce) was queued before, nothing more is sent
    claimed: bool  # the conversation was open and is now claimed by the one who replied
    reply_id: int | None = None  # the recorded (redacted) reply, when queued now
    body: str = ""  # the text as it goes to the user (normalised), for the page only
    sendable: bool = True  # False: no Twilio credentials, the outbox cannot send it yet


class Delivery:
    def __init__(self, store: Conversations, outbox: Outbox, records: Records,
                 identity: Identity, sender: MessageSender | None, answering: Answering, *,
                 max_attempts: int, backoff: float) -> None:
        self.store = store
        self.outbox = outbox
        self.records = records
        self.identity = identity
        self.sender = sender
        self.answering = answering
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.wake: Callable[[], None] = lambda: None  # the worker's, once it runs
        self.erase_timing: dict[str, float] = {}  # tests: shorter waits (erasure.py)

    def record_reply(self, sender: str, channel: str, bodies: list[str]) -> None:
        try:
            if self.store.known(sender):  # not when DELETE came in meanwhile
                self.records.record_reply(sender, channel, bodies)
        except Exception as exc:  # noqa: BLE001 - the reply still goes out
            log.error("could not record a reply: %s", type(exc).__name__)

    def later(self, future: Future[list[str]], msg: Inbound, sender: str, sealed: bytes) -> None:
        """An answer that missed the webhook's deadline: queued when it is ready."""
        try:
            parts = future.result()
            if not parts or not self.store.known(sender):
                self.store.finish_inbound(msg.sid)  # erased meanwhile: nothing to send
                return
            if self.outbox.enqueue(msg.sid, sender, msg.channel, msg.to, sealed, parts):
                self.record_reply(sender, msg.channel, parts)
            self.store.finish_inbound(msg.sid)
            self.wake()
        except Exception as exc:  # noqa: BLE001 - the worker takes it up again
            log.error("could not queue a reply: %s", type(exc).__name__)
            try:
                self.store.defer_inbound(msg.sid)
            except Exception:  # noqa: BLE001 - left 'answering': reset at the next start
                pass

    def answer_waiting(self, row: InboundRow, runtime: Runtime) -> None:
        """A message stored but not answered (loading, or a restart): answer via the outbox."""
        if not self.store.claim_inbound(row.sid):
            return
        sealed = row.sealed_address
        if sealed is None or self.identity.unseal(sealed) is None:
            self.store.finish_inbound(row.sid, "undeliverable")
            return
        prefs = self.store.touch(row.sender_id)
        question = Question(text=row.body, lang=prefs.lang, country=located(prefs.country))
        parts = self.answering.answer(runtime, question, row.channel, row.sender_id, sealed,
                                      row.our_address)
        if parts and self.outbox.enqueue(row.sid, row.sender_id, row.channel, row.our_address,
                                         sealed, parts):
            self.record_reply(row.sender_id, row.channel, parts)
        self.store.finish_inbound(row.sid)

    def caseworker_reply(self, inbox: Inbox, escalation_id: int, user_id: int, text: str, *,
                         nonce: str, is_admin: bool = False,
                         now: datetime | None = None) -> ReplyResult:
        """Queue a caseworker's reply to the user, once per ``nonce`` (a form's id).

        An open conversation is claimed by the one who replies. Raises ``InboxError``
        with a message for the caseworker when the reply cannot go out.
        """
        body = unicodedata.normalize("NFKC", text).strip().replace("\r\n", "\n")
        if not body:
            raise BadReply("Write a reply first.")
        hidden = HIDDEN.search(body)
        if hidden:
            raise BadReply(f"The reply holds an invisible or direction-changing character "
                           f"(U+{ord(hidden.group()):04X}), which can make a number or a name "
                           "read differently on the user's phone. Remove it and send again.")
        if utf16_units(body) > TWILIO_MAX_BODY:
            raise BadReply(f"The reply is too long: at most {TWILIO_MAX_BODY} characters "
                           "fit in one message.")
        item = inbox.get(escalation_id)
        refused = inbox.may_reply(item, user_id, is_admin)
        if refused:
            raise NotAllowed(refused)
        window = inbox.window(escalation_id, now or utcnow())
        if not window.open:
            raise InboxError(window.reason or "The reply cannot be sent now.")
        sealed, our_address = inbox.reply_address(escalation_id)
        address = self.identity.unseal(sealed) if sealed else None
        if address is None:
            raise InboxError("The user's address can no longer be decrypted (the server's "
                             "secret key has changed since they wrote), so the reply cannot "
                             "be sent. The user can write again to open a new thread.")
        claimed = item.status == "open" and inbox.claim(escalation_id, user_id)
        key = f"inbox:{escalation_id}:{nonce}"
        queued = self.outbox.enqueue(key, item.sender_id, item.channel, our_address,
                                     self.identity.seal(address), [body])
        reply_id = None
        if queued:
            reply_id = self.records.record_reply(item.sender_id, item.channel, [redact(body)],
                                                 "caseworker", user_id,
                                                 outbox_key=part_key(key))
            self.wake()
        return ReplyResult(queued, claimed, reply_id, body, self.sender is not None)

    def erase(self, sender: str, address: str) -> Erasure:
        """DELETE: every row about the sender here, then their messages at Twilio
        (``erasure.py``); what happened, for a truthful confirmation."""
        return Eraser(self.store, self.outbox, self.identity, self.sender,
                      **self.erase_timing).erase(address)

    def send(self, item: OutboxItem, sender: MessageSender) -> None:
        """One attempt at a queued part: sent, retried later with backoff, or given up."""
        if self.store.opted_out(item.sender_id, item.channel):
            self.outbox.mark_failed(item.id, "opted out: not sent")
            return
        to = self.identity.unseal(item.sealed_to) if item.sealed_to else None
        if to is None:
            self.outbox.mark_failed(item.id, "address unavailable")
            return
        result = sender.send(to, item.from_address, item.body)
        if result.outcome == "sent":
            self.outbox.mark_sent(item.id, result.sid)
        elif result.outcome == "failed" or item.attempts + 1 >= self.max_attempts:
            log.warning("a reply was not delivered: %s", result.error)
            self.outbox.mark_failed(item.id, result.error or "failed")
        else:
            delay = min(self.backoff * 2 ** item.attempts, MAX_BACKOFF)
            delay *= random.uniform(0.9, 1.1)
            log.info("a reply will be retried in %.1f s: %s", delay, result.error)
            self.outbox.mark_retry(item.id, result.error or "retry", delay)
