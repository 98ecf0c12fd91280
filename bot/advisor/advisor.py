"""The advisor: one question in, one checked answer out. Reads top to bottom.

    language -> retrieve -> relevant? -> compose -> cite -> referrals -> check -> Answer

Channels build the ``Question`` and render the ``Answer``; nothing here knows
about Twilio, SMS length or HTML. Urgency is decided in a later step of the
pipeline (see the safety issue); this core marks nothing urgent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from langchain_core.embeddings import Embeddings

from bot.advisor.check import check_answer
from bot.advisor.composer import Budget, ComposedSentence, Composer
from bot.advisor.language import detect_language
from bot.advisor.models import Answer, Citation, Question, ReferralOut, Sentence
from bot.advisor.strings import Strings
from bot.index.view import IndexView
from bot.knowledge.models import Referral
from bot.retrieval.retriever import Hit, retrieve

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000


def referral_out(entry: Referral) -> ReferralOut:
    return ReferralOut(
        id=entry.id,
        name=entry.name,
        kind=entry.kind,
        phone=entry.phone,
        whatsapp=entry.whatsapp,
        email=entry.email,
        web=entry.web,
        hours=entry.hours,
        notes=entry.notes,
    )


class Advisor:
    def __init__(
        self,
        view: Callable[[], IndexView],
        embedder: Embeddings,
        composer: Composer,
        strings: Strings,
        min_relevance: float,
    ) -> None:
        self._view = view  # a callable: the served index may change between questions
        self._embedder = embedder
        self._composer = composer
        self._strings = strings
        self.min_relevance = min_relevance

    def answer(self, question: Question, budget: Budget) -> Answer:
        view = self._view()
        text = question.text.strip()[:MAX_QUESTION_CHARS]
        lang = question.lang or detect_language(text)
        if not text:
            return self._no_answer(view, lang, budget, "empty_question")

        found = retrieve(view, self._embedder, text, lang=lang, country=question.country)
        if not found.hits or found.top_similarity < self.min_relevance:
            return self._no_answer(view, lang, budget, "no_relevant_guidance")

        composed = self._composer.compose(text, found.hits, budget)
        if not composed:
            return self._no_answer(view, lang, budget, "no_relevant_guidance")
        citations, sentences = self._cite(composed, found.hits)
        referrals = self._referrals(view, citations, budget)
        answer = Answer(
            status="answered",
            language=lang,
            citations=citations,
            referrals=referrals,
            sentences=sentences,
            notice=self._strings.get("notice", lang),
            intro=self._strings.get("answer_intro", lang),
        )

        problems = check_answer(answer, view.referrals)
        if problems:
            # Rule names only: the answer text may hold personal details.
            log.warning("final check stopped an answer: %s", "; ".join(problems))
            return self._no_answer(view, lang, budget, "check_failed")
        return answer

    def _cite(
        self, composed: list[ComposedSentence], hits: list[Hit]
    ) -> tuple[list[Citation], list[Sentence]]:
        numbers: dict[int, int] = {}
        citations: list[Citation] = []
        sentences: list[Sentence] = []
        for item in composed:
            cites = []
            for hit_index in item.sources:
                if hit_index not in numbers:
                    hit = hits[hit_index]
                    numbers[hit_index] = len(citations) + 1
                    citations.append(
                        Citation(
                            n=numbers[hit_index],
                            doc_id=hit.passage.doc_id,
                            title=hit.doc.title,
                            section=hit.passage.section,
                            path=hit.passage.path,
                            url=hit.doc.url,
                            quote=hit.passage.text,
                            lang=hit.passage.lang,
                        )
                    )
                cites.append(numbers[hit_index])
            sentences.append(Sentence(text=item.text, cites=cites))
        return citations, sentences

    def _referrals(
        self, view: IndexView, citations: list[Citation], budget: Budget
    ) -> list[ReferralOut]:
        ids: list[str] = []
        for citation in citations:
            doc = view.documents[(citation.doc_id, citation.lang)]
            ids.extend(doc.referrals)
        chosen = [view.referrals[i] for i in dict.fromkeys(ids) if i in view.referrals]
        return [referral_out(r) for r in chosen[: budget.referrals]]

    def general_contacts(self, view: IndexView, limit: int) -> list[ReferralOut]:
        urgent = [r for r in view.referrals.values() if r.urgent]
        return [referral_out(r) for r in urgent[:limit]]

    def _no_answer(self, view: IndexView, lang: str, budget: Budget, reason: str) -> Answer:
        key = "empty_question" if reason == "empty_question" else "no_answer"
        return Answer(
            status="no_answer",
            language=lang,
            reason=reason,
            referrals=self.general_contacts(view, budget.referrals),
            intro=self._strings.get(key, lang),
            notice=self._strings.get("notice", lang),
        )
