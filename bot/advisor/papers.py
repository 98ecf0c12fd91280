"""Answers about a photographed paper. Reads top to bottom:

    read (one at a time) -> language -> triage of the caption -> what it appears to be
      -> the lead sections of the kind's guides -> compose -> cite -> referrals -> final check

The reading is ``bot.documents``'; the reply's first lines are the editors' words
(``prompts/documents``, through ``bot.documents.wording.describe``): for a dangerous
kind, "do not sign this paper yet" comes first. The guidance is the kind's guides
(``knowledge/documents/<kind>.yaml``, most relevant first), quoted from the section
each guide leads with, and cited, referred and checked like every other answer,
with the advisor's own composer. Nothing is guessed: a paper whose kind cannot be
told gets "cannot tell", a request for a sharper photo of the first page and the
general contacts, never another kind's guidance.

The caption (the text sent with the photo) is judged by the advisor's triage
(``Advisor.triage``): "they are making me sign now" makes the answer urgent, with
the urgent contacts first. A dangerous kind is at least ``sensitive``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bot.advisor.advisor import Advisor
from bot.advisor.check import check_answer
from bot.advisor.citing import cite
from bot.advisor.composer import Budget
from bot.advisor.language import detect_language
from bot.advisor.models import Question, ReferralOut
from bot.advisor.paper_answer import LEVELS, DocumentAnswer, DocumentOut, TriageLevel
from bot.advisor.referrals import select_referrals, urgent_contacts
from bot.advisor.strings import Strings
from bot.advisor.trace import Trace
from bot.documents.reader import read_document
from bot.documents.reading import DocumentReading
from bot.documents.tesseract import Ocr, OcrUnavailable, Tesseract
from bot.documents.wording import MAX_PHRASES, describe
from bot.index.view import IndexView
from bot.knowledge.document_kinds import DocumentKind
from bot.knowledge.documents import load_document_kinds
from bot.retrieval.retriever import PIVOT_LANG, Hit
from bot.text.languages import SERVED, is_rtl

log = logging.getLogger(__name__)

LEAD_SECTION = 0  # guides put what to do first: the section each guide leads with


class PaperAdvisor:
    def __init__(self, advisor: Advisor, strings: Strings, words: Strings,
                 view: Callable[[], IndexView], knowledge_dir: Path,
                 ocr: Ocr | None = None) -> None:
        self._advisor = advisor
        self._strings = strings  # the assistant's words (prompts/strings)
        self._words = words  # about papers (prompts/documents)
        self._view = view
        self._knowledge_dir = knowledge_dir
        self._ocr = ocr or Tesseract()
        # One reading at a time: about a second of CPU each, on a machine of two cores
        # that the embedding model and the web app share.
        self._reading = threading.Lock()
        self._kinds_lock = threading.Lock()
        self._kinds: tuple[str, list[DocumentKind]] | None = None  # (generation, kinds)

    def unavailable(self) -> str | None:
        """Why photos cannot be read here (Tesseract is missing), or None."""
        check = getattr(self._ocr, "check", None)
        try:
            if check is not None:
                check()
        except OcrUnavailable as exc:
            return str(exc)
        return None

    def kinds(self) -> list[DocumentKind]:
        """The published kinds, read again whenever a new index generation is served (their
        guides must be published in it)."""
        view = self._view()
        with self._kinds_lock:
            if self._kinds is None or self._kinds[0] != view.generation:
                found = load_document_kinds(self._knowledge_dir,
                                            {doc_id for doc_id, _ in view.documents},
                                            SERVED, date.today())
                for problem in found.errors:
                    log.warning("document kinds: %s (that kind is not recognised)", problem)
                self._kinds = (view.generation, found.published)
            return self._kinds[1]

    def read(self, data: bytes) -> DocumentReading:
        """What the paper appears to be. Raises only OcrUnavailable."""
        kinds = self.kinds()
        with self._reading:
            return read_document(data, kinds, self._ocr)

    def answer(self, data: bytes, question: Question, budget: Budget) -> DocumentAnswer:
        """The answer about the paper in ``data``; ``question.text`` is the caption."""
        reading = self.read(data)
        return self.answer_reading(reading, question, budget)

    def answer_reading(self, reading: DocumentReading, question: Question,
                       budget: Budget) -> DocumentAnswer:
        view = self._view()
        caption = question.text.strip()
        lang = question.lang or detect_language(caption, saved=question.saved_lang)
        level = self.triage(caption, reading)
        # A channel that carries few sentences (SMS) shows fewer of the phrases found.
        head = describe(reading, lang, self._words.get,
                        max_phrases=min(MAX_PHRASES, budget.sentences))
        if reading.status == "refused":  # what to send instead, and nothing more
            return self._answer(reading, lang, level, head, status="no_answer",
                                reason="document_refused", with_notice=False)
        urgent = level == "urgent"
        general = urgent_contacts(view, question.country, question.nationality, lang)
        if reading.kind is None:
            return self._answer(reading, lang, level, head, status="no_answer",
                                reason="document_cannot_tell",
                                referrals=general[: budget.referrals])
        hits = lead_sections(view, reading.kind.guides, lang)
        composed = self._advisor.composer.compose(caption, hits, budget) if hits else []
        if not composed:
            return self._answer(reading, lang, level, head, status="no_answer",
                                reason="no_relevant_guidance",
                                referrals=general[: budget.referrals])
        citations, _, sentences = cite([], composed, hits)
        first = general if urgent else []
        referrals = select_referrals(view, citations, first, budget.referrals,
                                     question.nationality, question.country, lang)
        answer = self._answer(
            reading, lang, level, head, status="answered", referrals=referrals,
            urgent_referrals=min(len(first), len(referrals)),
        )
        answer.citations, answer.sentences = citations, sentences
        answer.notes = self._language_notes(lang, {c.lang for c in citations})
        cited = {(c.doc_id, c.lang) for c in citations}
        answer.traced(Trace(language=lang, documents={k: view.documents[k] for k in cited
                                                      if k in view.documents}))
        problems = check_answer(answer, view.referrals)
        if problems:
            log.warning("final check stopped an answer about a paper: %s", "; ".join(problems))
            return self._answer(reading, lang, level, head, status="no_answer",
                                reason="check_failed", referrals=general[: budget.referrals])
        return answer

    def triage(self, caption: str, reading: DocumentReading) -> TriageLevel:
        """The caption's level (the advisor's judgement); a dangerous paper is at least
        sensitive."""
        said = self._advisor.level_of(caption) if caption else "routine"
        level: TriageLevel = "routine"
        for known in LEVELS:
            if said == known:
                level = known
        if reading.dangerous and level == "routine":
            return "sensitive"
        return level

    def _answer(self, reading: DocumentReading, lang: str, level: TriageLevel,
                head: list[str], *, status: str, reason: str | None = None,
                referrals: list[ReferralOut] | None = None, urgent_referrals: int = 0,
                with_notice: bool = True) -> DocumentAnswer:
        answer = DocumentAnswer(
            status="answered" if status == "answered" else "no_answer",
            urgent=level == "urgent",
            triage=level,
            language=lang,
            direction="rtl" if is_rtl(lang) else "ltr",
            reason=reason,
            referrals=referrals or [],
            urgent_referrals=urgent_referrals,
            intro="\n\n".join(head),
            notice=self._strings.get("notice", lang) if with_notice else "",
            document=DocumentOut.of(reading, lang),
            placeholder=reading.placeholder,
        )
        answer.traced(Trace(language=lang))
        return answer

    def _language_notes(self, lang: str, quoted: set[str]) -> list[str]:
        template = self._strings.get("guidance_in_other_language", lang)
        return [template.format(language=self._strings.get("language_name", other))
                for other in sorted(quoted - {lang})]


def lead_sections(view: IndexView, guides: tuple[str, ...], lang: str) -> list[Hit]:
    """The section each guide leads with, in the reader's language when translated, in the
    editors' order (most relevant first); a guide missing from the index is skipped."""
    hits = []
    for doc_id in guides:
        for language in dict.fromkeys((lang, PIVOT_LANG)):
            idx = view.by_position.get((doc_id, language, LEAD_SECTION))
            if idx is not None:
                passage = view.passages[idx]
                # Equal scores: the composer then takes from the first guides, in order.
                hits.append(Hit(passage, view.doc(passage), score=1.0, similarity=None))
                break
    return hits
