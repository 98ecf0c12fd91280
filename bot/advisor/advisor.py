"""The advisor: one question in, one checked answer out. Reads top to bottom.

    language -> urgency -> refusal (unless plainly urgent) -> retrieve -> relevant?
      -> first steps (urgent) -> compose -> cite -> referrals -> final check -> Answer

Channels build the ``Question``, say how much they can carry (``Budget``) and
render the ``Answer`` (``bot.channels.render``); nothing here knows about
Twilio, SMS length or HTML. Every answer carries a ``Trace`` of what was
found and judged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from bot.advisor.audience import for_nationality
from bot.advisor.check import check_answer
from bot.advisor.citing import cite
from bot.advisor.composer import Budget, Composer
from bot.advisor.cued import CuedCheck, CuedVerdict
from bot.advisor.language import detect_language
from bot.advisor.models import Answer, Question
from bot.advisor.referrals import select_referrals, urgent_contacts
from bot.advisor.strings import Strings
from bot.advisor.trace import Trace
from bot.index.embedders import Embedder, embed_query
from bot.index.view import IndexView
from bot.retrieval.retriever import Hit, Retrieval, retrieve
from bot.text.languages import is_rtl

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
FIRST_STEPS_DOC = "urgent-first-steps"
NO_ANSWER_TEXT = {"empty_question": "empty_question", "refused_request": "refused"}


class Advisor:
    def __init__(
        self,
        view: Callable[[], IndexView],
        embedder: Embedder,
        composer: Composer,
        strings: Strings,
        min_relevance: float | dict[str, float],
        urgency: CuedCheck | None = None,
        refusals: CuedCheck | None = None,
        urgent_slack: float = 0.0,
    ) -> None:
        self._view = view  # a callable: the served index may change between questions
        self._embedder = embedder
        self._composer = composer
        self._strings = strings
        # Per language ("*" for any other), or one floor for all.
        self.min_relevance = (
            min_relevance if isinstance(min_relevance, dict) else {"*": min_relevance}
        )
        self.urgent_slack = urgent_slack
        self.urgency = urgency
        self.refusals = refusals

    def answer(self, question: Question, budget: Budget, *, measure: bool = False) -> Answer:
        """The answer to ``question`` within ``budget``.

        ``measure`` also retrieves for a message refused before retrieval, so that
        an evaluation measures retrieval on every question; the answer is the same.
        """
        view = self._view()
        text = question.text.strip()[:MAX_QUESTION_CHARS]
        lang = question.lang or detect_language(text, saved=question.saved_lang)
        trace = Trace(language=lang, floor=self.floor(lang))
        if not text:
            return self._no_answer(view, question, trace, budget, "empty_question", urgent=False)

        vector = embed_query(self._embedder, text)
        urgency = self.urgency.judge(vector, text) if self.urgency else None
        urgent = bool(urgency and urgency.positive)
        trace = replace(trace, urgency=urgency)
        # Instructions to the bot and requests for recruiters are refused before
        # retrieval: they must not steer what is said. Refusing someone in danger is
        # the worse mistake, so a message that is urgent by resemblance alone (no cue
        # needed) is answered even when it also resembles a refused request; the
        # answer only quotes published guidance, so it cannot be steered either way.
        plainly_urgent = bool(urgency and urgency.alone)
        refusal: CuedVerdict | None = None
        if not plainly_urgent and self.refusals:
            refusal = self.refusals.judge(vector, text)
            trace = replace(trace, refusal=refusal)
        if refusal is not None and refusal.positive:
            if measure:
                trace = replace(trace, retrieval=self._retrieve(view, text, lang, question,
                                                                vector))
            return self._no_answer(view, question, trace, budget, "refused_request",
                                   urgent=False)

        found = self._retrieve(view, text, lang, question, vector)
        trace = replace(trace, retrieval=found)
        floor = self.floor(lang)
        relevant = bool(found.hits) and found.top_similarity >= floor
        steps = []
        if urgent and found.top_similarity >= floor - self.urgent_slack:
            steps = self._first_steps(view, vector, lang)
        if not relevant and not steps:
            # Still urgent: the no-answer carries the urgent contacts and the flag.
            return self._no_answer(view, question, trace, budget, "no_relevant_guidance",
                                   urgent)

        body_budget = replace(budget, sentences=max(1, budget.sentences - len(steps)))
        composed = self._composer.compose(text, found.hits, body_budget) if relevant else []
        if not composed and not steps:
            return self._no_answer(view, question, trace, budget, "no_relevant_guidance",
                                   urgent)

        citations, step_sentences, sentences = cite(steps, composed, found.hits)
        first = urgent_contacts(view, question.country, question.nationality) if urgent else []
        referrals = select_referrals(view, citations, first, budget.referrals,
                                     question.nationality)
        cited = {(c.doc_id, c.lang) for c in citations}
        answer = Answer(
            status="answered",
            urgent=urgent,
            language=lang,
            direction="rtl" if is_rtl(lang) else "ltr",
            citations=citations,
            referrals=referrals,
            urgent_referrals=min(len(first), len(referrals)),
            steps=step_sentences,
            sentences=sentences,
            notes=self._language_notes(lang, {c.lang for c in citations}),
            notice=self._strings.get("notice", lang),
            intro=self._strings.get("urgent_preface", lang) if step_sentences else "",
        ).traced(replace(trace, documents={k: view.documents[k] for k in cited
                                           if k in view.documents}))

        problems = check_answer(answer, view.referrals)
        if problems:
            # Rule names only: the answer text may hold personal details.
            log.warning("final check stopped an answer: %s", "; ".join(problems))
            return self._no_answer(view, question, trace, budget, "check_failed", urgent)
        return answer

    def floor(self, lang: str) -> float:
        """The relevance floor for questions in ``lang``."""
        return self.min_relevance.get(lang, self.min_relevance.get("*", 0.0))

    def _retrieve(self, view: IndexView, text: str, lang: str, question: Question,
                  vector: list[float]) -> Retrieval:
        """Retrieval, without the guidance written for another nationality than the user's."""
        found = retrieve(view, self._embedder, text, lang=lang, country=question.country,
                         vector=vector)
        if question.nationality is None:
            return found
        hits = for_nationality(found.hits, question.nationality, lambda h: h.doc.nationalities)
        if len(hits) == len(found.hits):
            return found
        # The relevance signal of what is left: the best guidance may have been another's.
        top = max((h.similarity for h in hits if h.similarity is not None), default=0.0)
        return replace(found, hits=hits, top_similarity=min(top, found.top_similarity))

    def _first_steps(self, view: IndexView, vector: list[float], lang: str) -> list[Hit]:
        """The section of the first-steps guide closest to the message, as cited steps."""
        found = view.store.query(vector, 1, doc_id=FIRST_STEPS_DOC)
        if not found:
            return []
        pid, similarity = found[0]
        idx = view.by_id.get(pid)
        if idx is None:
            return []
        passage = view.passages[idx]
        passage = view.translation(passage, lang) or passage
        return [Hit(passage, view.doc(passage), score=1.0, similarity=similarity)]

    def _language_notes(self, lang: str, quoted: set[str]) -> list[str]:
        others = sorted(quoted - {lang})
        template = self._strings.get("guidance_in_other_language", lang)
        return [
            template.format(language=self._strings.get("language_name", other))
            for other in others
        ]

    def _no_answer(
        self,
        view: IndexView,
        question: Question,
        trace: Trace,
        budget: Budget,
        reason: str,
        urgent: bool,
    ) -> Answer:
        lang = trace.language
        contacts = urgent_contacts(view, question.country, question.nationality)
        return Answer(
            status="no_answer",
            urgent=urgent,
            language=lang,
            direction="rtl" if is_rtl(lang) else "ltr",
            reason=reason,
            referrals=contacts[: budget.referrals],
            urgent_referrals=min(len(contacts), budget.referrals),
            intro=self._strings.get(NO_ANSWER_TEXT.get(reason, "no_answer"), lang),
            notice=self._strings.get("notice", lang),
        ).traced(trace)
