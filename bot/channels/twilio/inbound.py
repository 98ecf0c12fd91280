"""What to answer to one inbound WhatsApp or SMS message. Reads top to bottom:

    command? -> flood? -> record (the dedupe) -> opted out?
      -> command | media only | too long | a turn of the conversation (``turns.py``)

Commands are recognised first and always answered (DELETE, STOP, CONTACTS are
what a person in trouble needs; none waits behind a limit); for everything else
the flood limit (``pace.py``) is checked before any other work. Replies are
values (the bodies to put in the TwiML). A question answered within the deadline
goes back inline; a slower one is answered in the background and leaves through
the outbox (``delivery.py``). What is sent back is recorded for the caseworkers'
inbox, never the confirmation of an erasure. Any fault becomes a polite reply
with general contacts, never an exception to the web layer. Nothing here logs a
body, a number or a profile name.
"""

from __future__ import annotations

import logging
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
from bot.channels.twilio.pace import Arrival, MemoryRateStore, Pace, RateStore
from bot.channels.twilio.turns import Turns
from bot.channels.twilio.webhook import Inbound
from bot.store import Conversations
from bot.store.conversations import GATHERING
from bot.store.identity import Identity

log = logging.getLogger(__name__)
WORKERS = 8  # threads that ask the advisor; fragments wait in the web server's threads


class InboundHandler:
    def __init__(self, ctx: ChannelContext, store: Conversations, identity: Identity,
                 dialogue: Dialogue, answering: Answering, delivery: Delivery,
                 rates: RateStore | None = None) -> None:
        self.ctx = ctx
        self.settings = s = ctx.settings
        self.store = store
        self.identity = identity
        self.dialogue = dialogue
        self.delivery = delivery
        self.pace = Pace(rates or MemoryRateStore(), per_minute=s.rate_limit_per_minute,
                         per_day=s.rate_limit_per_day, flood_per_minute=s.rate_flood_per_minute,
                         pause=s.rate_pause_minutes * 60)
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="twilio-answer")
        self.turns = Turns(ctx, store, identity, dialogue, answering, delivery, self.pace,
                           self._pool)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def handle(self, msg: Inbound) -> list[str]:
        """The bodies to reply with now (possibly none). Never raises."""
        started = time.monotonic()
        sender = self.identity.sender_id(msg.from_)
        body = msg.body.strip()
        command = self.ctx.commands.parse(body) if body else None
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
        conversation = command is None and body and len(body) <= limit
        stored = self.store.record_inbound(msg.sid, sender, msg.channel, msg.to, body[:limit],
                                           self.identity.seal(msg.from_),
                                           GATHERING if conversation else "answering")
        if not stored:
            log.info("duplicate delivery of a %s message ignored", msg.channel)
            return [], False
        if self.store.opted_out(sender, msg.channel) and not (
            command and command.kind == "start"
        ):
            self.store.finish_inbound(msg.sid, "ignored")
            return [], False
        if conversation:
            return self.turns.take(msg, sender, prefs, body, arrival, started), True
        lang = self.dialogue.language(command, prefs, msg.from_) if command else (
            prefs.lang or guess_language(body))
        note = True
        if command:
            replies = self.dialogue.command(command, msg, sender, prefs)
            note = command.kind not in ("delete", "stop", "help")
        elif len(body) > limit:
            replies = self.dialogue.say("too_long", lang, msg.channel, limit=limit)
        elif msg.num_media:
            replies = self.dialogue.say("media_only", lang, msg.channel)
        else:  # an empty message: what the service is (with the note on first contact)
            replies, note = self.dialogue.welcome(lang, msg.channel, prefs), False
        self.store.finish_inbound(msg.sid)
        if note:
            replies = self.dialogue.first_contact(prefs, msg.channel, replies, lang)
        return replies, not (command and command.kind == "delete")
