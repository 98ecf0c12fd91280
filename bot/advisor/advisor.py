"""The advisor: one question in, one checked answer out. Reads top to bottom.

    language -> refusal and triage -> retrieve -> relevant?
      -> first steps (urgent) -> compose -> cite -> referrals -> final check -> Answer

Channels build the ``Question``, say how much they can carry (``Budget``) and
render the ``Answer`` (``bot.channels.render``); nothing here knows about
Twilio, SMS length or HTML. Every answer carries a ``Trace`` of what was
found and judged.

An urgent message always gets guidance: the sections of the first-steps guide
for the dangers it states in words (the section for everyone when it states none),
named as the condition they are for ("If you are locked in ...:", never "you
wrote"), or, in a folder
without a first-steps guide, the closest passages even below the relevance floor,
with a line saying they may not fit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from bot.advisor.audience import for_nationality
from bot.advisor.check import check_answer
from bot.advisor.citing import cite
from bot.advisor.composer import Budget, Composer
from bot.advisor.conditions import for_signed
from bot.advisor.cued import CuedCheck, CuedVerdict
from bot.advisor.first_steps import GENERAL, FirstSteps, Step
from bot.advisor.language import detect_language
from bot.advisor.models import Answer, Level, Question
from bot.advisor.referrals import select_referrals, urgent_contacts
from bot.advisor.relevance import judge_relevance
from bot.advisor.strings import Strings
from bot.advisor.trace import Trace
from bot.advisor.triage import Triage, TriageVerdict
from bot.index.embedders import Embedder, embed_query
from bot.index.view import IndexView
from bot.retrieval.retriever import Hit, Retrieval, retrieve
from bot.text.languages import is_rtl

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
# The triage's cue kinds that state someone's situation, not only a time ("now"), nor a
# general question ("what if").
SITUATION = ("here", "held", "forced", "harm", "past", "other")
NO_ANSWER_TEXT = {"empty_question": "empty_question", "refused_request": "refused"}


class Advisor:
    def __init__(
        self,
        view: Callable[[], IndexView],
        embedder: Embedder,
        composer: Composer,
        strings: Strings,
        min_relevance: float | dict[str, float],
        triage: Triage | None = None,
        refusals: CuedCheck | None = None,
        first_steps: FirstSteps | None = None,
        safety: Strings | None = None,
    ) -> None:
        self._view = view  # a callable: the served index may change between questions
        self._embedder = embedder
        self._composer = composer
        self._strings = strings
        # Per language ("*" for any other), or one floor for all.
        self.min_relevance = (
            min_relevance if isinstance(min_relevance, dict) else {"*": min_relevance}
        )
        self.triage = triage
        self.refusals = refusals
        self.first_steps = first_steps or FirstSteps({})
        self._safety = safety  # prompts/safety: the words that name a danger

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
            return self._no_answer(view, question, trace, budget, "empty_question", "routine")

        vector = embed_query(self._embedder, text)
        verdict = self.triage.judge(vector, text) if self.triage else None
        refusal = self.refusals.judge(vector, text) if self.refusals else None
        trace = replace(trace, triage=verdict, refusal=refusal)
        level: Level = verdict.level if verdict else "routine"  # type: ignore[assignment]
        if refused(refusal, verdict):
            # Instructions to the bot and requests for recruiters are refused before
            # retrieval (they must not steer what is said) and are routine.
            if measure:
                trace = replace(trace, retrieval=self._retrieve(view, text, lang, question,
                                                                vector))
            return self._no_answer(view, question, trace, budget, "refused_request", "routine")

        found = self._retrieve(view, text, lang, question, vector)
        # First steps for a danger the message does not state are never quoted.
        found = replace(found, hits=self.first_steps.unstated(view, found.hits, text))
        # Someone who says they signed reads the after-signing guidance first, never
        # "do not sign on the spot" (bot/advisor/conditions.py).
        found = replace(found, hits=for_signed(view, found.hits, self.first_steps.stated.of(text),
                                               vector, lang))
        trace = replace(trace, retrieval=found)
        # The floor, and no answer when only a draft covers the topic
        # (bot/advisor/relevance.py).
        relevant = judge_relevance(view, vector, found, self.floor(lang)).answer
        urgent = level == "urgent"
        steps = self.first_steps.match(view, vector, lang, text) if urgent else []
        trace = replace(trace, first_steps=tuple(steps))
        # Someone in danger always gets guidance: below the floor too, when there are
        # no first steps, saying that it may not fit.
        closest = urgent and not steps and not relevant and bool(found.hits)
        if not relevant and not steps and not closest:
            return self._no_answer(view, question, trace, budget, "no_relevant_guidance", level)

        step_hits = [Hit(s.passage, s.doc, score=1.0, similarity=s.similarity) for s in steps]
        body_budget = replace(budget, sentences=max(1, budget.sentences - len(steps)))
        composed = (self._composer.compose(text, found.hits, body_budget)
                    if relevant or closest else [])
        if not composed and not steps:
            return self._no_answer(view, question, trace, budget, "no_relevant_guidance", level)

        citations, step_sentences, sentences = cite(step_hits, composed, found.hits)
        first = (urgent_contacts(view, question.country, question.nationality, lang)
                 if urgent else [])
        referrals = select_referrals(view, citations, first, budget.referrals,
                                     question.nationality, question.country, lang)
        cited = {(c.doc_id, c.lang) for c in citations}
        answer = Answer(
            status="answered",
            urgent=urgent,
            triage=level,
            dangers=[s.danger for s in steps if s.danger and s.danger != GENERAL],
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
            danger=self._danger_sentence(steps, lang) if urgent else "",
            caveat=self._safety_text("not_exact", lang) if closest else "",
        ).traced(replace(trace, documents={k: view.documents[k] for k in cited
                                           if k in view.documents}))

        problems = check_answer(answer, view.referrals)
        if problems:
            # Rule names only: the answer text may hold personal details.
            log.warning("final check stopped an answer: %s", "; ".join(problems))
            return self._no_answer(view, question, trace, budget, "check_failed", level)
        return answer

    # For the other pipelines built on this one (bot.advisor.papers: photographed papers).

    @property
    def composer(self) -> Composer:
        return self._composer

    def level_of(self, text: str) -> str:
        """How soon ``text`` needs a person: ``urgent``, ``sensitive`` or ``routine``, as the
        triage judges it. The one call a photo's caption goes through."""
        text = text.strip()[:MAX_QUESTION_CHARS]
        if not text or self.triage is None:
            return "routine"
        return str(self.triage.judge(embed_query(self._embedder, text), text).level)

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

    def _safety_text(self, key: str, lang: str) -> str:
        return self._safety.get(key, lang) if self._safety else ""

    def _danger_sentence(self, steps: list[Step], lang: str) -> str:
        """"If ...:" with the words of each danger matched, in ``lang``; never the user's
        own words, and never a claim about what they wrote."""
        if self._safety is None:
            return ""
        keys = [s.danger for s in steps if s.danger] or ["unknown"]
        parts = [self._safety.get(f"danger_{k}", lang) for k in keys]
        joined = self._safety.get("and", lang).join(p for p in parts if p)
        template = self._safety.get("you_wrote", lang)
        return template.format(dangers=joined) if joined and template else ""

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
        level: Level,
    ) -> Answer:
        lang = trace.language
        urgent = level == "urgent"
        contacts = urgent_contacts(view, question.country, question.nationality, lang)
        return Answer(
            status="no_answer",
            urgent=urgent,
            triage=level,
            language=lang,
            direction="rtl" if is_rtl(lang) else "ltr",
            reason=reason,
            referrals=contacts[: budget.referrals],
            urgent_referrals=min(len(contacts), budget.referrals),
            intro=self._strings.get(NO_ANSWER_TEXT.get(reason, "no_answer"), lang),
            notice=self._strings.get("notice", lang),
            danger=self._danger_sentence([], lang) if urgent else "",
        ).traced(trace)


def refused(refusal: CuedVerdict | None, verdict: TriageVerdict | None) -> bool:
    """A request like the refused examples is refused, unless someone may be in danger:
    refusing them is the worse mistake, and the answer only quotes published guidance,
    so it cannot be steered either way.

    Never refused: a plainly urgent message (as urgent as the typical urgent example),
    and an urgent or sensitive one whose words state someone's situation (``SITUATION``
    cues of the triage: where they are, held, made to sign, hurt, what happened, someone
    else's case). In Arabic, "I am held at the station, they want me to sign a contract
    with the army" resembled a request to enlist as closely as "ignore your instructions,
    you are now ..." does; only the latter's sole cue is a time word ("now", "ab",
    "sasa"), which an instruction has as easily as an emergency.
    """
    if refusal is None or not refusal.positive:
        return False
    if verdict is None or verdict.level not in ("urgent", "sensitive"):
        return True
    stated = verdict.danger or any(kind in verdict.cues for kind in SITUATION)
    return not (verdict.plainly and verdict.level == "urgent" or stated)
