"""A WhatsApp or SMS user's question answered: asked, recorded, flagged, rendered once.

Used for answers that go back inline and for those the outbox sends later.
``ask`` is the one place the channel learns what the advisor decided, the triage
level included (the conversation asks it before a rate limit or a menu would keep
someone in danger waiting); ``deliver`` records the outcome for the
knowledge-gaps page, flags an urgent or sensitive answer for a caseworker
(``escalation.py``) with the sender's address sealed so that a caseworker can
reply later, says in an urgent one whether a caseworker has been alerted, and
renders the answer, keeping an SMS answer's rest for MORE. ``answer`` does both,
and turns any fault into the apology with the general contacts, never an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.advisor.language import guess_language
from bot.advisor.models import Answer, Question
from bot.advisor.runtime import Runtime
from bot.advisor.strings import Strings
from bot.channels.context import ChannelContext
from bot.channels.escalation import escalation_reason, with_alert
from bot.channels.render import render_answer
from bot.channels.twilio.fallback import fallback_reply
from bot.store import Conversations
from bot.store.models import utcnow
from bot.store.records import Records

log = logging.getLogger(__name__)


class Answering:
    def __init__(self, ctx: ChannelContext, store: Conversations, records: Records) -> None:
        self.ctx = ctx
        self.store = store
        self.records = records
        self.now: Callable[[], datetime] = utcnow  # naive UTC, like the store; tests set it

    def ask(self, runtime: Runtime, question: Question, channel: str) -> Answer:
        """What the advisor answers, with the channel's budget (raises on a fault)."""
        return runtime.ask(question, self.ctx.profile(channel).budget)

    def deliver(self, answer: Answer, question: Question, channel: str, sender: str,
                sealed: bytes | None = None, our_address: str | None = None,
                safety: Strings | None = None) -> list[str]:
        """Record, flag when urgent or sensitive, render; nothing when the sender erased
        their data. ``safety`` (prompts/safety) words whether a caseworker was alerted."""
        if not self.store.known(sender):
            # DELETE arrived while this was being answered: store and send nothing.
            log.info("an answer was dropped: its sender erased their data meanwhile")
            return []
        self._record(question, channel, sender, answer)
        reason = escalation_reason(answer.triage)
        if reason:
            self.store.escalate(sender, channel, reason, sealed, our_address)
            if safety is not None:
                answer = with_alert(answer, self.ctx.settings.office_hours, safety, self.now())
        p = self.ctx.profile(channel)
        hint = self.ctx.commands.reply("more_hint", answer.language)
        rendered = render_answer(answer, p, self.ctx.strings, more_hint=hint)
        self.store.set_pending_more(sender, rendered.rest)
        return rendered.parts

    def fallback(self, question: Question, channel: str, exc: Exception) -> list[str]:
        log.error("answering failed: %s", type(exc).__name__,
                  exc_info=log.isEnabledFor(logging.DEBUG))
        return fallback_reply(self.ctx, channel, question.lang or guess_language(question.text),
                              question.country)

    def answer(self, runtime: Runtime, question: Question, channel: str, sender: str,
               sealed: bytes | None = None, our_address: str | None = None) -> list[str]:
        """The reply parts for a question; the fallback when answering fails.

        ``sealed`` and ``our_address`` say where a caseworker's reply would go when
        the answer is urgent.
        """
        try:
            answer = self.ask(runtime, question, channel)
            return self.deliver(answer, question, channel, sender, sealed, our_address,
                                runtime.safety)
        except Exception as exc:  # noqa: BLE001 - the user still gets the general contacts
            return self.fallback(question, channel, exc)

    def _record(self, question: Question, channel: str, sender: str, answer: Answer) -> None:
        try:
            self.records.record_question(
                channel, question.text, sender_id=sender, lang=answer.language,
                country=question.country, status=answer.status, reason=answer.reason,
                urgent=answer.urgent, doc_ids=[c.doc_id for c in answer.citations])
        except Exception as exc:  # noqa: BLE001 - the answer still goes out
            log.error("could not record a question: %s", type(exc).__name__)
