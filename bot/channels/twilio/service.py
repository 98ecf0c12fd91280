"""What to answer to one inbound WhatsApp or SMS message. Reads top to bottom:

    rate limit -> record (the dedupe) -> opted out? -> command | media | too long | question

Replies are values (the bodies to put in the TwiML). A question answered within
the deadline goes back inline; a slower one is answered in the background and
leaves through the outbox. What is sent back is recorded for the caseworkers'
inbox (``Reply``: inline and queued replies alike, never the confirmation of an
erasure), and so is the outcome of every question (``AskedQuestion``). An urgent
answer or AGENT flags the sender for a caseworker, with their address sealed so
that a caseworker can reply later. Any fault becomes a polite reply with general
contacts, never an exception to the web layer. Nothing here logs a body, a
number or a profile name.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Protocol

from bot.advisor.language import detect_language
from bot.advisor.models import Answer, Question
from bot.advisor.strings import Strings
from bot.channels.commands import LANGUAGES, Command, Commands
from bot.channels.profiles import profile
from bot.channels.twilio.contacts import ContactBook, contact_text
from bot.channels.twilio.country import country_of
from bot.channels.twilio.ratelimit import RateLimiter
from bot.channels.twilio.segments import fit
from bot.channels.twilio.sender import MessageSender
from bot.channels.twilio.split import outbound_parts
from bot.channels.twilio.webhook import Inbound
from bot.config import Settings
from bot.store import Conversations, InboundRow, Outbox, SenderPrefs
from bot.store.identity import Identity
from bot.store.inbox import Inbox

log = logging.getLogger(__name__)
FOLLOW_UP_WORDS = 3  # a message this short continues the previous question


class Answerer(Protocol):
    def ask(self, question: Question, channel: str | None = None) -> Answer: ...


class Fallback:
    """The reply when something failed: an apology and the general contacts."""

    def __init__(self, commands: Commands, contacts: ContactBook,
                 strings: Callable[[], Strings]) -> None:
        self.commands = commands
        self.contacts = contacts
        self.strings = strings

    def reply(self, channel: str, lang: str | None, country: str | None = None) -> list[str]:
        refs = self.contacts.for_country(country, 2)
        text = self.commands.reply("error_fallback", lang)
        if refs:
            text += "\n\n" + contact_text(refs, channel, self.strings(), lang)
        return [fit(text)]


def guess_language(text: str) -> str | None:
    try:
        return detect_language(text) if text.strip() else None
    except Exception:  # noqa: BLE001 - a guess only
        return None


class Conversation:
    def __init__(
        self,
        settings: Settings,
        store: Conversations,
        outbox: Outbox,
        identity: Identity,
        commands: Commands,
        fallback: Fallback,
        answerer: Callable[[], Answerer | None],
        sender: MessageSender | None,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.outbox = outbox
        self.identity = identity
        self.commands = commands
        self.fallback = fallback
        self.answerer = answerer
        self.sender = sender
        self.wake = wake
        self.records = Inbox(store.db)
        self.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_per_day)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="twilio-answer")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def handle(self, msg: Inbound) -> list[str]:
        """The bodies to reply with now (possibly none). Never raises."""
        sender = self.identity.sender_id(msg.from_)
        verdict = self.limiter.check(sender, msg.sid)
        if verdict == "silent":
            return []
        if verdict == "limited":
            return [self.commands.reply("rate_limited", guess_language(msg.body))]
        try:
            replies, keep = self._handle(msg, sender)
            bodies = [fit(b) for b in replies]
        except Exception as exc:  # noqa: BLE001 - the user still gets a reply
            log.error("could not handle a %s message: %s", msg.channel, type(exc).__name__,
                      exc_info=log.isEnabledFor(logging.DEBUG))
            bodies, keep = self.fallback.reply(msg.channel, guess_language(msg.body),
                                               country_of(msg.from_)), True
        if keep:
            self._record_reply(sender, msg.channel, bodies)
        return bodies

    def _record_reply(self, sender: str, channel: str, bodies: list[str]) -> None:
        try:
            if self.store.known(sender):  # not when DELETE came in meanwhile
                self.records.record_reply(sender, channel, bodies)
        except Exception as exc:  # noqa: BLE001 - the reply still goes out
            log.error("could not record a reply: %s", type(exc).__name__)

    def _handle(self, msg: Inbound, sender: str) -> tuple[list[str], bool]:
        """The replies, and whether to record them (not after an erasure)."""
        prefs = self.store.touch(sender, country_of(msg.from_))
        body = msg.body.strip()
        limit = self.settings.twilio_max_inbound_chars
        stored = self.store.record_inbound(msg.sid, sender, msg.channel, msg.to, body[:limit],
                                           self.identity.seal(msg.from_), "answering")
        if not stored:
            log.info("duplicate delivery of a %s message ignored", msg.channel)
            return [], False
        command = self.commands.parse(body) if body else None
        if self.store.opted_out(sender, msg.channel) and not (
            command and command.kind == "start"
        ):
            self.store.finish_inbound(msg.sid, "ignored")
            return [], False
        lang = prefs.lang or (command.lang if command else None)
        if command:
            replies = self._command(command, msg, sender, prefs)
        elif len(body) > limit:
            replies = [self.commands.reply("too_long", lang or guess_language(body),
                                           limit=limit)]
        elif not body:
            key = "media_only" if msg.num_media else "help_text"
            replies = [self.commands.reply(key, lang)]
        else:
            return self._first_contact(prefs, msg.channel,
                                       self._question(msg, sender, prefs, body),
                                       lang or guess_language(body)), True
        self.store.finish_inbound(msg.sid)
        if not (command and command.kind in ("delete", "stop", "help")):
            replies = self._first_contact(prefs, msg.channel, replies,
                                          lang or guess_language(body))
        return replies, not (command and command.kind == "delete")

    def _first_contact(self, prefs: SenderPrefs, channel: str, replies: list[str],
                       lang: str | None) -> list[str]:
        """Discretion: the first reply to a new sender says how to delete the chat."""
        if not prefs.new:
            return replies
        note = self.commands.reply("privacy_note", lang)
        if replies and len(replies[-1]) + 2 + len(note) <= profile(channel).max_chars:
            return [*replies[:-1], f"{replies[-1]}\n\n{note}"]
        return [*replies, note]

    # Questions.

    def _question(self, msg: Inbound, sender: str, prefs: SenderPrefs, body: str) -> list[str]:
        note = []
        if msg.num_media:  # text and a picture: answer the text, say the picture was not read
            note = [self.commands.reply("media_only", prefs.lang or guess_language(body))]
        text = body
        if prefs.last_question and len(body.split()) <= FOLLOW_UP_WORDS:
            text = f"{prefs.last_question} {body}"
        self.store.set_last_question(sender, text)
        answerer = self.answerer()
        if answerer is None:
            # Still loading: the outbox worker answers as soon as the index is ready.
            self.store.defer_inbound(msg.sid)
            self.wake()
            return note
        question = Question(text=text, lang=prefs.lang, country=prefs.country)
        sealed = self.identity.seal(msg.from_)  # for an escalation and a late reply
        future = self._pool.submit(self.compose, answerer, question, msg.channel, sender,
                                   sealed, msg.to)
        try:
            parts = future.result(timeout=self.settings.twilio_reply_deadline)
        except FutureTimeout:
            future.add_done_callback(lambda f: self._deliver_later(f, msg, sender, sealed))
            return note
        self.store.finish_inbound(msg.sid)
        return note + parts

    def compose(self, answerer: Answerer, question: Question, channel: str,
                sender: str, sealed: bytes | None = None,
                our_address: str | None = None) -> list[str]:
        """The reply parts for a question; the fallback when answering fails.

        ``sealed`` and ``our_address`` say where a caseworker's reply would go when
        the answer is urgent.
        """
        try:
            answer = answerer.ask(question, channel)
            if not self.store.known(sender):
                # DELETE arrived while this was being answered: store and send nothing.
                log.info("an answer was dropped: its sender erased their data meanwhile")
                return []
            self._record_question(question, channel, sender, answer)
            if answer.urgent:
                self.store.escalate(sender, channel, "urgent", sealed, our_address)
            hint = self.commands.reply("more_hint", answer.language)
            parts, rest = outbound_parts(answer.answer, channel, hint)
            self.store.set_pending_more(sender, rest)
            return parts
        except Exception as exc:  # noqa: BLE001 - the user still gets the general contacts
            log.error("answering failed: %s", type(exc).__name__,
                      exc_info=log.isEnabledFor(logging.DEBUG))
            return self.fallback.reply(channel, question.lang or guess_language(question.text),
                                       question.country)

    def _record_question(self, question: Question, channel: str, sender: str,
                         answer: Answer) -> None:
        try:
            self.records.record_question(
                channel, question.text, sender_id=sender, lang=answer.language,
                country=question.country, status=answer.status, reason=answer.reason,
                urgent=answer.urgent, doc_ids=[c.doc_id for c in answer.citations])
        except Exception as exc:  # noqa: BLE001 - the answer still goes out
            log.error("could not record a question: %s", type(exc).__name__)

    def _deliver_later(self, future: Future[list[str]], msg: Inbound, sender: str,
                       sealed: bytes) -> None:
        try:
            parts = future.result()
            if not parts or not self.store.known(sender):
                self.store.finish_inbound(msg.sid)  # erased meanwhile: nothing to send
                return
            if self.outbox.enqueue(msg.sid, sender, msg.channel, msg.to, sealed, parts):
                self._record_reply(sender, msg.channel, parts)
            self.store.finish_inbound(msg.sid)
            self.wake()
        except Exception as exc:  # noqa: BLE001 - the worker takes it up again
            log.error("could not queue a reply: %s", type(exc).__name__)
            try:
                self.store.defer_inbound(msg.sid)
            except Exception:  # noqa: BLE001 - left 'answering': reset at the next start
                pass

    def answer_waiting(self, row: InboundRow, answerer: Answerer) -> None:
        """A message stored but not answered (loading, or a restart): answer via the outbox."""
        if not self.store.claim_inbound(row.sid):
            return
        sealed = row.sealed_address
        if sealed is None or self.identity.unseal(sealed) is None:
            self.store.finish_inbound(row.sid, "undeliverable")
            return
        prefs = self.store.touch(row.sender_id)
        question = Question(text=row.body, lang=prefs.lang, country=prefs.country)
        parts = [fit(p) for p in self.compose(answerer, question, row.channel, row.sender_id,
                                              sealed, row.our_address)]
        if parts and self.outbox.enqueue(row.sid, row.sender_id, row.channel, row.our_address,
                                         sealed, parts):
            self._record_reply(row.sender_id, row.channel, parts)
        self.store.finish_inbound(row.sid)

    # Commands.

    def _command(self, cmd: Command, msg: Inbound, sender: str, prefs: SenderPrefs) -> list[str]:
        lang = prefs.lang or cmd.lang
        reply = self.commands.reply
        if cmd.kind == "help":
            return [reply("help_text", lang) + "\n\n" + reply("privacy_note", lang)]
        if cmd.kind == "contacts":
            refs = self.fallback.contacts.for_country(prefs.country)
            if not refs:
                return [reply("contacts_none", lang)]
            text = reply("contacts_intro", lang) + "\n\n" + contact_text(
                refs, msg.channel, self.fallback.strings(), lang)
            return outbound_parts(text, msg.channel, reply("more_hint", lang))[0]
        if cmd.kind == "lang":
            if cmd.arg is None:
                return [reply("lang_unknown", lang, languages=", ".join(LANGUAGES))]
            self.store.set_lang(sender, cmd.arg)
            return [reply("lang_set", cmd.arg, language=self.commands.language_name(cmd.arg))]
        if cmd.kind == "more":
            rest = self.store.take_pending_more(sender)
            if not rest:
                return [reply("more_none", lang)]
            parts, rest = outbound_parts(rest, msg.channel, reply("more_hint", lang))
            self.store.set_pending_more(sender, rest)
            return parts
        if cmd.kind == "agent":
            self.store.escalate(sender, msg.channel, "agent", self.identity.seal(msg.from_),
                                msg.to)
            return [reply("agent_ok", lang)]
        if cmd.kind == "delete":
            self._erase(sender, msg.from_)
            return [reply("deleted", lang)]
        if cmd.kind == "stop":
            self.store.opt_out(sender, msg.channel)
            self.outbox.cancel(sender, msg.channel)
            # On SMS Twilio confirms STOP itself and blocks our messages (21610).
            return [reply("stopped", lang)] if msg.channel == "whatsapp" else []
        self.store.opt_in(sender, msg.channel)
        return [reply("started", lang)]

    def _erase(self, sender: str, address: str) -> None:
        sids = self.store.inbound_sids(sender) + self.outbox.sent_sids(sender)
        self.store.delete_sender(sender)
        if self.sender is None:
            return
        remote = self.sender

        def at_twilio() -> None:
            deleted = remote.delete_conversation(address, sids)
            log.info("erasure: %d message(s) deleted at Twilio", deleted)

        # Listing and deleting can take longer than Twilio waits for the webhook.
        threading.Thread(target=at_twilio, name="twilio-erase", daemon=True).start()
