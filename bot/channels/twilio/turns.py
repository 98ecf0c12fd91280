"""One turn of the conversation: a message that is not a command, and its reply.

    wait for the rest of it (fragments within BOT_FRAGMENT_WINDOW are one question;
      HELP, CONTACTS or MORE among them is a word of the burst: ``inbound.py``)
      -> read it (bot.channels.conversation.reading)
           a menu number     -> that situation's question, answered from the guidance
           "something else"  -> ask for a sentence
           greeting, thanks  -> the welcome and the menu (never guidance)
           asks for numbers  -> the contacts, as CONTACTS
           vague             -> the advisor is asked once: urgent, its answer; else the menu
           a question        -> answered, in the light of the previous one when it follows it
      -> remember the session (situation, language, nationality, what was cited)

A question is answered within the pace allowed (``pace.py``): over the limit
only an urgent one, or the first after a pause, is answered. Whether a
message is urgent is the advisor's own decision, asked in one place
(``Answering.ask``). Each fragment's webhook waits for the window; the newest
answers for all (``Conversations.take_fragments``), the others answer nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from bot.advisor.composer import Budget
from bot.advisor.language import detect_language
from bot.advisor.models import Answer, Question
from bot.advisor.runtime import Runtime
from bot.channels.context import ChannelContext
from bot.channels.conversation.reading import OTHER, SITUATIONS, Reading, read
from bot.channels.conversation.session import Session, digest
from bot.channels.conversation.welcome import Opening
from bot.channels.twilio.answering import Answering
from bot.channels.twilio.country import country_of, located
from bot.channels.twilio.delivery import Delivery
from bot.channels.twilio.dialogue import Dialogue, whereabouts
from bot.channels.twilio.more import ROOM, continued
from bot.channels.twilio.pace import Arrival, Pace
from bot.channels.twilio.webhook import Inbound
from bot.store import Conversations, SenderPrefs
from bot.store.identity import Identity
from bot.text.languages import SERVED

log = logging.getLogger(__name__)
SHORT = 3  # words: below this a message's own language is told by its greeting or thanks
MIN_WAIT = 0.5  # seconds an answer still gets to go back inline, however long we waited
TWILIO_GIVES_UP = 15.0  # seconds Twilio waits for a webhook's response
LATE = TWILIO_GIVES_UP - 3.0  # after this, no moment more: the outbox is the only safe way
MAX_SAID = 80  # sentences remembered as sent, for follow-ups and MORE


class Turns:
    def __init__(self, ctx: ChannelContext, store: Conversations, identity: Identity,
                 dialogue: Dialogue, answering: Answering, delivery: Delivery, pace: Pace,
                 pool: ThreadPoolExecutor) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self.store = store
        self.identity = identity
        self.dialogue = dialogue
        self.answering = answering
        self.delivery = delivery
        self.pace = pace
        self.pool = pool
        # An answer that went back inline: finished at once here; the handler finishes
        # it only once the web layer has written the response (InboundHandler.responded).
        self.answered_inline: Callable[[str], None] = store.finish_inbound
        # What a recording or file sent with the text gets (the handler sets the words of
        # prompts/documents: "I did not open this recording or file").
        self.media_note: Callable[[str, str], list[str]] = (
            lambda lang, channel: self.dialogue.say("media_only", lang, channel))

    def gather(self, msg: Inbound, sender: str, started: float) -> list[str] | None:
        """Wait out the fragment window: the earlier fragments this message answers for
        (oldest first), or None when a later message of the sender answers for it."""
        wait = self.settings.fragment_window - (time.monotonic() - started)
        if wait > 0:
            time.sleep(wait)
        return self.store.take_fragments(sender, msg.sid)

    def take(self, msg: Inbound, sender: str, prefs: SenderPrefs, body: str,
             arrival: Arrival, started: float, earlier: list[str]) -> list[str]:
        """The replies to one message and the fragments gathered before it (``gather``).
        The first reply to a new sender says how to delete the chat (the welcome says it
        itself; an answer that goes through the outbox leaves the note alone inline)."""
        text = " ".join([*earlier, body])
        replies, lang, noted = self._reply(msg, sender, prefs, text, arrival, started)
        if noted or not prefs.new:
            return replies
        return self.dialogue.first_contact(prefs, msg.channel, replies, lang)

    def _reply(self, msg: Inbound, sender: str, prefs: SenderPrefs, text: str,
               arrival: Arrival, started: float) -> tuple[list[str], str, bool]:
        """(the replies, their language, whether they carry the first-contact note)."""
        reading = read(text, self.ctx.dialogue, self.settings.dialogue_vague_words,
                       self.settings.dialogue_greeting_words)
        session = Session.of(prefs.session)
        session.noted(reading)
        lang = self.language(prefs, session, reading, text)
        note = self.media_note(lang, msg.channel) if msg.num_media else []
        follows = session.follows(reading)

        if reading.kind == "choice" and reading.choice is not None:
            if reading.choice == OTHER:
                return self._said(msg, sender, session, lang,
                                  note + self.dialogue.ask_sentence(lang, msg.channel)), lang, False
            session.situation = SITUATIONS[reading.choice - 1]
            question = self.ctx.dialogue.situation_question(reading.choice, lang)
            return note + self._ask(msg, sender, prefs, session, question, lang, arrival,
                                    started, choice_lang=lang), lang, False
        if reading.kind == "thanks" or (reading.kind in ("filler", "vague") and session.lang
                                        and self.ctx.dialogue.acknowledges(text)):
            # "thanks", or "ok" after a reply: a warm closing line, not the menu again.
            closing = self.dialogue.closing(lang, msg.channel, prefs)
            return self._said(msg, sender, session, lang, note + closing), lang, True
        if reading.kind == "greeting" or (reading.kind == "filler" and not follows):
            opening: Opening = "again" if session.question or session.lang else "welcome"
            welcome = self.dialogue.welcome(lang, msg.channel, prefs, opening)
            return self._said(msg, sender, session, lang, note + welcome), lang, True
        if reading.kind == "contacts" and not follows:
            contacts = self.dialogue.contacts(msg, sender, prefs, lang, session)
            return self._said(msg, sender, session, lang, note + contacts), lang, False
        if reading.kind == "vague" and not follows:
            # The menu, unless the advisor finds it urgent; the menu says how to delete.
            return note + self._ask(msg, sender, prefs, session, text, lang, arrival, started,
                                    menu_unless_urgent=True), lang, False
        if reading.situation and not follows:
            session.situation = reading.situation
        question = session.in_context(text, reading)
        # "what do I do now?", "and then?": a follow-up that says nothing of its own asks
        # for the steps of the guidance it follows, not its background.
        steps = follows and reading.kind in ("vague", "filler")
        return note + self._ask(msg, sender, prefs, session, question, lang, arrival,
                                started, alone=text, follow_up=follows,
                                steps=steps), lang, False

    def language(self, prefs: SenderPrefs, session: Session, reading: Reading,
                 text: str) -> str:
        """The language of a reply that is not an answer: the user's choice (LANG), else
        the message's (a short one by its greeting or thanks), else the conversation's."""
        if prefs.lang:
            return prefs.lang
        known = [lang for lang in reading.langs if lang in SERVED]
        if reading.words < SHORT and known:
            return session.lang if session.lang in known else known[0]
        # A longer message in the language the advisor will answer it in: a stray word
        # ("le", "el") must not put the privacy note in French under an English answer.
        return detect_language(text, saved=session.lang)

    def _said(self, msg: Inbound, sender: str, session: Session, lang: str,
              replies: list[str]) -> list[str]:
        """A reply that is not an answer: the message is done, the session remembered."""
        session.lang = lang
        self.store.set_session(sender, session.to_dict())
        self.store.finish_inbound(msg.sid)
        return replies

    def _question(self, msg: Inbound, prefs: SenderPrefs, session: Session, text: str,
                  choice_lang: str | None) -> Question:
        location, nationality = whereabouts(session, msg.from_)
        return Question(text=text, lang=prefs.lang or choice_lang,
                        saved_lang=prefs.lang or session.lang,
                        country=location or located(prefs.country or country_of(msg.from_)),
                        nationality=nationality)

    def _ask(self, msg: Inbound, sender: str, prefs: SenderPrefs, session: Session, text: str,
             lang: str, arrival: Arrival, started: float, *, choice_lang: str | None = None,
             menu_unless_urgent: bool = False, alone: str | None = None,
             follow_up: bool = False, steps: bool = False) -> list[str]:
        """Answer from the guidance, within the pace; the menu instead for a vague message
        that is not urgent. Inline when ready in time, else through the outbox.

        Over the limit only danger is answered, and the danger is judged on the message
        itself (``alone``), never diluted by the previous question it may follow."""
        runtime = self.ctx.runtime.current()
        verdict = "ok" if menu_unless_urgent or runtime is None else self.pace.may_answer(
            sender, arrival.after_pause)
        if verdict != "ok" and alone:
            text = alone
        question = self._question(msg, prefs, session, text, choice_lang)
        if runtime is None:
            # Still loading: the outbox worker answers as soon as the index is ready.
            self.store.set_session(sender, session.to_dict())
            self.store.defer_inbound(msg.sid, body=text)
            self.delivery.wake()
            return []
        sealed = self.identity.seal(msg.from_)  # for an escalation and a late reply

        def respond() -> list[str]:
            try:
                answer = self.answering.ask(runtime, question, msg.channel)
            except Exception as exc:  # noqa: BLE001 - the general contacts instead
                return self.answering.fallback(question, msg.channel, exc)
            if menu_unless_urgent and not _plainly_urgent(answer):
                # Later in a conversation: what the service is for when the guidance holds
                # nothing on it ("the weather in Moscow"), then the menu.
                again: Opening = "welcome" if not (session.question or session.lang) else (
                    "off_topic" if answer.status == "no_answer" else "again")
                session.lang = lang
                self.store.set_session(sender, session.to_dict())
                return self.dialogue.welcome(lang, msg.channel, prefs, again)
            if not answer.urgent and verdict != "ok":
                if verdict == "limited":
                    return self.dialogue.say("rate_limited", lang, msg.channel)
                return []
            if follow_up:
                answer = self._news(runtime, question, msg.channel, answer, session, steps)
            parts = self.answering.deliver(answer, question, msg.channel, sender, sealed,
                                           msg.to, runtime.safety)
            self.pace.answered(sender)
            self._remember(sender, session, question, answer)
            return parts

        future = self.pool.submit(respond)
        deadline = self.settings.twilio_reply_deadline
        elapsed = time.monotonic() - started  # since the webhook arrived
        remaining = deadline - elapsed
        # However long the fragments took, an answer gets a moment to go back inline (never
        # more than the deadline: 0 sends every answer through the outbox), unless the
        # request waited so long for a thread that Twilio may give up before it is written.
        moment = min(MIN_WAIT, deadline) if elapsed + MIN_WAIT < LATE else 0.0
        try:
            parts = future.result(timeout=max(remaining, moment))
        except FutureTimeout:
            future.add_done_callback(lambda f: self.delivery.later(f, msg, sender, sealed))
            return []
        self.answered_inline(msg.sid)
        return parts

    def _news(self, runtime: Runtime, question: Question, channel: str, answer: Answer,
              session: Session, steps: bool = False) -> Answer:
        """A follow-up's answer without what the user was already told ("and my brother?"
        after a passport answer must not send the same text again): the sentences not yet
        said, looking deeper into the guidance when the usual answer holds none.

        ``steps`` ("what do I do now?"): always looking deeper, and what to do before
        what was reported (``more.dated``): a report from 2022 is no answer to it."""
        said = set(session.said)
        if answer.urgent or not said or not steps and not any(
                digest(s.text) in said for s in answer.sentences):
            return answer
        most = len(answer.sentences)
        fresh = None if steps else continued(answer, said, most)
        if fresh is None:
            p = self.ctx.profile(channel)
            deeper = Budget(sentences=p.budget.sentences * ROOM, chars=p.budget.chars * ROOM,
                            referrals=p.budget.referrals)
            try:
                fresh = continued(runtime.ask(question, deeper), said, most,
                                  steps_first=steps)
            except Exception as exc:  # noqa: BLE001 - the usual answer then
                log.error("a follow-up could not look deeper: %s", type(exc).__name__)
        if fresh is None:
            return answer
        return fresh.model_copy(update={
            "referrals": answer.referrals, "urgent_referrals": answer.urgent_referrals,
            "intro": answer.intro, "notes": answer.notes})

    def _remember(self, sender: str, session: Session, question: Question,
                  answer: Answer) -> None:
        session.question = question.text
        session.lang = answer.language
        session.docs = list(dict.fromkeys(c.doc_id for c in answer.citations))
        session.referrals = [r.id for r in answer.referrals]
        said = [digest(s.text) for s in [*answer.steps, *answer.sentences]]
        session.said = list(dict.fromkeys([*session.said, *said]))[-MAX_SAID:]
        try:
            if self.store.known(sender):
                self.store.set_session(sender, session.to_dict())
        except Exception as exc:  # noqa: BLE001 - the answer still goes out
            log.error("could not remember the conversation: %s", type(exc).__name__)


def _plainly_urgent(answer: Answer) -> bool:
    """A vague message ("hi I am scared") gets the menu, whose first line says what to do
    in danger, unless it is plainly urgent (as urgent as the typical urgent example): a
    few words of fear are not enough to choose guidance for the person."""
    trace = answer.trace
    verdict = trace.triage if trace is not None else None
    return answer.urgent and (verdict is None or verdict.plainly)
