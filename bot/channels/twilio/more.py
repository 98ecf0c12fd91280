"""MORE after an answer: more of the same guidance, never a sentence sent before.

On SMS an answer's first part ends with "Reply MORE" and the rest waits for
MORE (``Dialogue``). When nothing is waiting (a WhatsApp answer was sent whole,
or the SMS rest was sent), MORE asks the advisor the last question again with
room for more and sends the cited sentences the user has not had yet, with
their sources; when there are none, the user is told there is nothing more.
"""

from __future__ import annotations

import logging
import re

from bot.advisor.composer import Budget
from bot.advisor.models import Answer, Question, Sentence
from bot.channels.context import ChannelContext
from bot.channels.conversation.session import Session, digest
from bot.channels.render import render_answer
from bot.channels.twilio.webhook import Inbound
from bot.store import Conversations, SenderPrefs

log = logging.getLogger(__name__)
ROOM = 3  # the continuation looks this many answers deep
# A year (1900-2099) marks a sentence that reports ("in 2022 contracts were hidden among
# forms", "Kenya said in 2025 ..."): background, not a step. Measured on the shipped guides
# (December 2026): 229 of 1,371 English sentences carry one, nearly all reports and dates.
DATED = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def dated(sentence: str) -> bool:
    """Does the sentence report something dated (background, not what to do)?"""
    return DATED.search(sentence) is not None


def continued(answer: Answer, said: set[str], most: int, *,
              steps_first: bool = False) -> Answer | None:
    """The answer's sentences not yet said (at most ``most``), renumbered with their
    sources; None when there is none. ``steps_first`` ("what do I do now?" wants what to
    do): first the sentences that open a section (a guide puts its main step first),
    then the others, and those that report something dated last."""
    new = [s for s in answer.sentences if digest(s.text) not in said]
    if steps_first:
        quotes = {c.n: " ".join(c.quote.split()) for c in answer.citations}

        def opens(s: Sentence) -> bool:  # a section's first sentence: its main step
            return any(quotes.get(n, "").startswith(" ".join(s.text.split())) for n in s.cites)

        new = sorted(new, key=lambda s: 2 if dated(s.text) else 0 if opens(s) else 1)
    new = new[:most]
    if answer.status != "answered" or not new:
        return None
    numbers: dict[int, int] = {}
    for s in new:
        for n in s.cites:
            numbers.setdefault(n, len(numbers) + 1)
    citations = [c.model_copy(update={"n": numbers[c.n]})
                 for c in sorted(answer.citations, key=lambda c: numbers.get(c.n, 0))
                 if c.n in numbers]
    sentences = [s.model_copy(update={"cites": [numbers[n] for n in s.cites]}) for s in new]
    return answer.model_copy(update={
        "sentences": sentences, "citations": citations, "steps": [], "referrals": [],
        "urgent_referrals": 0, "intro": "", "notes": [],
        # The danger was named on the first page: said again above a continuation it is a
        # heading with nothing of its own under it.
        "danger": ""})


class Continuation:
    def __init__(self, ctx: ChannelContext, store: Conversations) -> None:
        self.ctx = ctx
        self.store = store

    def next(self, msg: Inbound, sender: str, prefs: SenderPrefs) -> list[str] | None:
        session = Session.of(prefs.session)
        runtime = self.ctx.runtime.current()
        if not session.question or runtime is None:
            return None
        p = self.ctx.profile(msg.channel)
        budget = Budget(sentences=p.budget.sentences * ROOM, chars=p.budget.chars * ROOM,
                        referrals=0)
        question = Question(text=session.question, lang=prefs.lang or session.lang,
                            nationality=session.nationality)
        try:
            more = continued(runtime.ask(question, budget), set(session.said),
                             p.budget.sentences)
        except Exception as exc:  # noqa: BLE001 - MORE then says there is nothing more
            log.error("MORE failed: %s", type(exc).__name__)
            return None
        if more is None:
            return None
        session.said += [digest(s.text) for s in more.sentences]
        self.store.set_session(sender, session.to_dict())
        hint = self.ctx.commands.reply("more_hint", more.language)
        rendered = render_answer(more, p, self.ctx.strings, more_hint=hint)
        self.store.set_pending_more(sender, rendered.rest)
        return rendered.parts
