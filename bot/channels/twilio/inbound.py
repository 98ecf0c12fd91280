"""What to answer to one inbound WhatsApp or SMS message. Reads top to bottom:

    rate limit -> record (the dedupe) -> opted out? -> command | photo | media | too long
      | question

(DELETE, STOP and START are never rate-limited: a user's say over their data and
their messages is never silenced.)

Replies are values (the bodies to put in the TwiML). A question answered within
the deadline goes back inline; a slower one is answered in the background and
leaves through the outbox (``delivery.py``). What is sent back is recorded for
the caseworkers' inbox, never the confirmation of an erasure. Any fault becomes
a polite reply with general contacts, never an exception to the web layer.
Nothing here logs a body, a number or a profile name.

An answer that goes back inline stays ``answering`` (under this process's lease)
until the web layer has written the response (``responded``): a replica killed
between answering and responding leaves the message to another replica, which
sends the answer through the outbox once the lease runs out, instead of losing
it (issue 17). Answers never confirmed so (a response that could not be written)
are finished after ``UNCONFIRMED_SECONDS``, as before.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from bot.advisor.language import guess_language
from bot.advisor.models import Question
from bot.channels.context import ChannelContext
from bot.channels.twilio.answering import Answering
from bot.channels.twilio.country import country_of
from bot.channels.twilio.delivery import Delivery
from bot.channels.twilio.dialogue import Dialogue
from bot.channels.twilio.fallback import fallback_reply
from bot.channels.twilio.photos import READING, Photos, photo_of, stored_text
from bot.channels.twilio.ratelimit import RateLimiter
from bot.channels.twilio.webhook import Inbound
from bot.store import Conversations, SenderPrefs
from bot.store.identity import Identity
from bot.store.ratestorage import rate_storage

log = logging.getLogger(__name__)
FOLLOW_UP_WORDS = 3  # a message this short continues the previous question
# The user's say over their data and their messages: never rate-limited, never silenced.
NEVER_LIMITED = frozenset({"delete", "stop", "start"})
UNCONFIRMED_SECONDS = 60.0


class InboundHandler:
    def __init__(self, ctx: ChannelContext, store: Conversations, identity: Identity,
                 dialogue: Dialogue, answering: Answering, delivery: Delivery,
                 photos: Photos) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self.store = store
        self.identity = identity
        self.dialogue = dialogue
        self.answering = answering
        self.delivery = delivery
        self.photos = photos  # a picture of a paper, read off the webhook (photos.py)
        self.limiter = RateLimiter(self.settings.rate_limit_per_minute,
                                   self.settings.rate_limit_per_day,
                                   storage=rate_storage(self.settings.rate_limit_storage,
                                                        store.db))
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="twilio-answer")
        self._inline: dict[str, float] = {}  # answered inline, response not yet written
        self._inline_lock = threading.Lock()

    def responded(self, sid: str) -> None:
        """The response to ``sid`` was written: an inline answer in it is delivered."""
        now = time.monotonic()
        with self._inline_lock:
            done = [sid] if self._inline.pop(sid, None) is not None else []
            stale = [k for k, t in self._inline.items() if now - t > UNCONFIRMED_SECONDS]
            for k in stale:
                del self._inline[k]
        for k in done + stale:
            try:
                self.store.finish_inbound(k)
            except Exception as exc:  # noqa: BLE001 - the lease hands it on; never raise
                log.error("could not finish a message: %s", type(exc).__name__)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def handle(self, msg: Inbound) -> list[str]:
        """The bodies to reply with now (possibly none). Never raises."""
        sender = self.identity.sender_id(msg.from_)
        consent = self.ctx.commands.parse(msg.body.strip())
        exempt = consent is not None and consent.kind in NEVER_LIMITED
        verdict = "ok" if exempt else self.limiter.check(sender, msg.sid)
        if verdict == "silent":
            return []
        if verdict == "limited":
            return self.dialogue.say("rate_limited", guess_language(msg.body), msg.channel)
        try:
            bodies, keep = self._handle(msg, sender)
        except Exception as exc:  # noqa: BLE001 - the user still gets a reply
            log.error("could not handle a %s message: %s", msg.channel, type(exc).__name__,
                      exc_info=log.isEnabledFor(logging.DEBUG))
            bodies, keep = fallback_reply(self.ctx, msg.channel, guess_language(msg.body),
                                          country_of(msg.from_)), True
        if keep:
            self.delivery.record_reply(sender, msg.channel, bodies)
        return bodies

    def _handle(self, msg: Inbound, sender: str) -> tuple[list[str], bool]:
        """The replies, and whether to record them (not after an erasure)."""
        prefs = self.store.touch(sender, country_of(msg.from_))
        body = msg.body.strip()
        limit = self.settings.twilio_max_inbound_chars
        photo = photo_of(msg)
        stored = self.store.record_inbound(
            msg.sid, sender, msg.channel, msg.to,
            stored_text("[photo]", body[:limit]) if photo else body[:limit],
            self.identity.seal(msg.from_), READING if photo else "answering")
        if not stored:
            log.info("duplicate delivery of a %s message ignored", msg.channel)
            return [], False
        command = self.ctx.commands.parse(body) if body else None
        if self.store.opted_out(sender, msg.channel) and not (
            command and command.kind == "start"
        ):
            self.store.finish_inbound(msg.sid, "ignored")
            return [], False
        lang = prefs.lang or (command.lang if command else None)
        if command:
            replies = self.dialogue.command(command, msg, sender, prefs)
        elif photo is not None:  # read off the webhook; the caption only weighs its urgency
            return self.dialogue.first_contact(
                prefs, msg.channel, self.photos.take(msg, photo, sender, prefs, body[:limit]),
                lang or guess_language(body)), True
        elif len(body) > limit:
            replies = self.dialogue.say("too_long", lang or guess_language(body), msg.channel,
                                        limit=limit)
        elif not body:
            replies = (self.photos.say("media_not_read", lang, msg.channel) if msg.num_media
                       else self.dialogue.say("help_text", lang, msg.channel))
        else:
            return self.dialogue.first_contact(prefs, msg.channel,
                                               self._question(msg, sender, prefs, body),
                                               lang or guess_language(body)), True
        self.store.finish_inbound(msg.sid)
        if not (command and command.kind in ("delete", "stop", "help")):
            replies = self.dialogue.first_contact(prefs, msg.channel, replies,
                                                  lang or guess_language(body))
        return replies, not (command and command.kind == "delete")

    def _question(self, msg: Inbound, sender: str, prefs: SenderPrefs, body: str) -> list[str]:
        note = []
        if msg.num_media:  # text and a recording or file: answer the text, say it was not read
            note = self.photos.say("media_not_read", prefs.lang or guess_language(body),
                                   msg.channel)
        text = body
        if prefs.last_question and len(body.split()) <= FOLLOW_UP_WORDS:
            text = f"{prefs.last_question} {body}"
        self.store.set_last_question(sender, text)
        runtime = self.ctx.runtime.current()
        if runtime is None:
            # Still loading: the outbox worker answers as soon as the index is ready.
            self.store.defer_inbound(msg.sid)
            self.delivery.wake()
            return note
        question = Question(text=text, lang=prefs.lang, country=prefs.country)
        sealed = self.identity.seal(msg.from_)  # for an escalation and a late reply
        future = self._pool.submit(self.answering.answer, runtime, question, msg.channel,
                                   sender, sealed, msg.to)
        try:
            parts = future.result(timeout=self.settings.twilio_reply_deadline)
        except FutureTimeout:
            future.add_done_callback(lambda f: self.delivery.later(f, msg, sender, sealed))
            return note
        with self._inline_lock:  # finished once the response is written (``responded``)
            self._inline[msg.sid] = time.monotonic()
        return note + parts
