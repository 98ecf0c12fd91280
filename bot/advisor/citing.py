"""Numbering citations: each passage used gets one number, in order of first use."""

from __future__ import annotations

from collections.abc import Sequence

from bot.advisor.composer import ComposedSentence
from bot.advisor.models import Citation, Sentence
from bot.knowledge.models import Passage
from bot.retrieval.retriever import Hit
from bot.text.sentences import split_sentences

MAX_STEPS = 3  # sentences of one first-steps section; two sections give two each


class _Numbering:
    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._numbers: dict[str, int] = {}

    def number(self, hit: Hit) -> int:
        passage: Passage = hit.passage
        if passage.id not in self._numbers:
            self._numbers[passage.id] = len(self.citations) + 1
            self.citations.append(
                Citation(
                    n=self._numbers[passage.id],
                    doc_id=passage.doc_id,
                    title=hit.doc.title,
                    section=passage.section,
                    path=passage.path,
                    url=hit.doc.url,
                    quote=passage.text,
                    lang=passage.lang,
                )
            )
        return self._numbers[passage.id]


def cite(
    steps: Sequence[Hit], composed: Sequence[ComposedSentence], hits: Sequence[Hit]
) -> tuple[list[Citation], list[Sentence], list[Sentence]]:
    """(citations, urgent first steps, body sentences), all cited."""
    numbering = _Numbering()
    per_section = MAX_STEPS if len(steps) <= 1 else 2
    step_sentences = [
        Sentence(text=text, cites=[numbering.number(hit)])
        for hit in steps
        for text in split_sentences(hit.passage.text)[:per_section]
    ]
    step_texts = {s.text for s in step_sentences}
    sentences = [
        # A source that does not exist is dropped: the sentence then cites nothing
        # and the final check stops the answer.
        Sentence(
            text=item.text,
            cites=[numbering.number(hits[i]) for i in item.sources if 0 <= i < len(hits)],
        )
        for item in composed
        if item.text not in step_texts  # never say the same thing twice
    ]
    return numbering.citations, step_sentences, sentences
