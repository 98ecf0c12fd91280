"""What to answer to one inbound WhatsApp or SMS message. Reads top to bottom:

    command? -> flood? -> record (the dedupe) -> opted out?
      -> command | photo of a paper (``photos.py``) | other media | too long
      | a turn of the conversation (``turns.py``)

Commands are recognised first and always answered (DELETE, STOP, CONTACTS are
what a person in trouble needs; none waits behind a limit). HELP, CONTACTS and
MORE wait the fragment window like any message: sent alone they are the command,
inside a burst of fragments they are words of it and the burst is answered once; for everything else
the flood limit (``pace.py``) is checked before any other work. Replies are
values (the bodies to put in the TwiML). A question answered within the deadline
goes back inline; a slower one is answered in the background and leaves through
the outbox (``delivery.py``). What is sent back is recorded for the caseworkers'
inbox, never the confirmation of an erasure. Any fault becomes a polite reply
with general contacts, never an exception to the web layer. Nothing here logs a
body, a number or a profile name.

An answer that goes back inline stays ``answering`` (under this process's lease)
until the web layer has written the response (``responded``): a replica killed
between answering and responding leaves the message to another replica, which
sends the answer through the outbox once the lease runs out, instead of losing
it (issue 17). Answers never confirmed so (a response that could not be written)
are finished after ``UNCONFIRMED_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bot.advisor.language import guess_language
from bot.channels.commands import Command
from bot.channels.context import ChannelContext
from bot.channels.twilio.answering import Answering
from bot.channels.twilio.country import country_of
from bot.channels.twilio.delivery import Delivery
from bot.channels.twilio.dialogue import Dialogue
from bot.channels.twilio.fallback import fallback_reply
from bot.channels.twilio.pace import Arrival, MemoryRateStore, Pace, RateStore, SharedRateStore
from bot.channels.twilio.photos import READING, Photos, photo_of, stored_text
from bot.channels.twilio.turns import Turns
from bot.channels.twilio.webhook import Inbound
from bot.store import Conversations
from bot.store.conversations import GATHERING
from bot.store.identity import Identity
from bot.store.ratestorage import rate_storage

log = logging.getLogger(__name__)
# Commands that only show something: in a burst of fragments (panic: "my passport" /
# "help" / "they locked us in") they are words of the burst, answered once with it.
# The commands that act (AGENT, DELETE, STOP, START, LANG) act at once wherever they fall.
BURST_WORDS = ("help", "contacts", "more")
WORKERS = 8  # threads that ask the advisor; fragments wait in the web server's threads
UNCONFIRMED_SECONDS = 60.0


class InboundHandler:
    def __init__(self, ctx: ChannelContext, store: Conversations, identity: Identity,
                 dialogue: Dialogue, answering: Answering, delivery: Delivery,
                 photos: Photos, rates: RateStore | None = None) -> None:
        self.ctx = ctx
        self.settings = s = ctx.settings
        self.store = store
        self.identity = identity
        self.dialogue = dialogue
        self.delivery = delivery
        self.photos = photos  # a picture of a paper, read off the webhook (photos.py)
        if rates is None:
            # One process on SQLite counts in memory; replicas share BOT_RATE_LIMIT_STORAGE.
            shared = s.rate_limit_storage is not None or not store.db.is_sqlite
            rates = (SharedRateStore(rate_storage(s.rate_limit_storage, store.db)) if shared
                     else MemoryRateStore())
        self.pace = Pace(rates, per_minute=s.rate_limit_per_minute,
                         per_day=s.rate_limit_per_day, flood_per_minute=s.rate_flood_per_minute,
                         pause=s.rate_pause_minutes * 60)
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="twilio-answer")
        self.turns = Turns(ctx, store, identity, dialogue, answering, delivery, self.pace,
                           self._pool)
        self.turns.answered_inline = self._await_response
        self.turns.media_note = lambda lang, channel: photos.say("media_not_read", lang, channel)
        self._inline: dict[str, float] = {}  # answered inline, response not yet written
        self._inline_lock = threading.Lock()

    def _await_response(self, sid: str) -> None:
        with self._inline_lock:  # finished once the response is written (``responded``)
            self._inline[sid] = time.monotonic()

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
        started = time.monotonic() if msg.received is None else msg.received
        sender = self.identity.sender_id(msg.from_)
        body = msg.body.strip()
        command = self.ctx.commands.parse(body, msg.channel) if body else None
        arrival = self.pace.arrive(sender, msg.sid)
        if arrival.verdict != "ok" and command is None:  # commands are always answered
            if arrival.verdict == "silent":
                return []
            return self.dialogue.say("rate_limited", guess_language(body), msg.channel)
        try:
            bodies, keep = self._handle(msg, sender, body, command, arrival, started)
        except Exception as exc:  # noqa: BLE001 - the user still gets a reply
            log.error("could not handle a %s message: %s", msg.channel, type(exc).__name__,
                      exc_info=log.isEnabledFor(logging.DEBUG))
            bodies, keep = fallback_reply(self.ctx, msg.channel, guess_language(body),
                                          country_of(msg.from_)), True
        if keep and bodies:
            self.delivery.record_reply(sender, msg.channel, bodies)
        return bodies

    def _handle(self, msg: Inbound, sender: str, body: str, command: Command | None,
                arrival: Arrival, started: float) -> tuple[list[str], bool]:
        """The replies, and whether to record them (not after an erasure)."""
        session_for = timedelta(minutes=self.settings.session_minutes)
        prefs = self.store.touch(sender, country_of(msg.from_), session_for)
        limit = self.settings.twilio_max_inbound_chars
        photo = None if command else photo_of(msg)
        # A word that only shows something (HELP, CONTACTS, MORE) waits for the rest of
        # a burst like any fragment: alone it is the command, in a burst a word of it.
        joins = command is None or command.kind in BURST_WORDS
        conversation = joins and photo is None and body and len(body) <= limit
        status = READING if photo else GATHERING if conversation else "answering"
        stored = self.store.record_inbound(
            msg.sid, sender, msg.channel, msg.to,
            stored_text("[photo]", body[:limit]) if photo else body[:limit],
            self.identity.seal(msg.from_), status)
        if not stored:
            log.info("duplicate delivery of a %s message ignored", msg.channel)
            return [], False
        if self.store.opted_out(sender, msg.channel) and not (
            command and command.kind == "start"
        ):
            self.store.finish_inbound(msg.sid, "ignored")
            return [], False
        if conversation:
            earlier = self.turns.gather(msg, sender, started)
            if earlier is None:
                return [], True  # a later message of this sender answers for this one
            if command is None or earlier:
                return self.turns.take(msg, sender, prefs, body, arrival, started,
                                       earlier), True
        lang = self.dialogue.language(command, prefs, msg.from_) if command else (
            prefs.lang or guess_language(body))
        note = True
        if command:
            replies = self.dialogue.command(command, msg, sender, prefs)
            note = command.kind not in ("delete", "stop", "help")
        elif photo is not None:  # read off the webhook; the caption only weighs its urgency
            return self.dialogue.first_contact(
                prefs, msg.channel, self.photos.take(msg, photo, sender, prefs, body[:limit]),
                lang), True
        elif len(body) > limit:
            replies = self.dialogue.say("too_long", lang, msg.channel, limit=limit)
        elif msg.num_media:
            replies = self.photos.say("media_not_read", lang, msg.channel)
        else:  # an empty message: what the service is (with the note on first contact)
            replies, note = self.dialogue.welcome(lang, msg.channel, prefs), False
        self.store.finish_inbound(msg.sid)
        if note:
            replies = self.dialogue.first_contact(prefs, msg.channel, replies, lang)
        return replies, not (command and command.kind == "delete")
