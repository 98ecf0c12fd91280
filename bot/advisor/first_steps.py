"""First steps for someone in danger, from whichever guide declares itself the first-steps guide.

A knowledge folder marks one guide per language with ``role: first-steps`` in
its front matter; its id can be anything. An urgent message gets the section of
that guide that matches the danger it states (two sections when it states two
dangers), in the user's language when the guide is translated, else in English.

Each section is recognised as one of the dangers named in ``prompts/safety``
(``DANGERS``: detained, being made to sign, locked in, at the front, hurt,
thinking of self-harm, already signed) by how close the section is to the words
that name the danger, in English and in the section's language, so a folder
whose guide is organised differently still gets the right words, or none: a
section that matches no danger well is used without naming one.

Measured on the shipped guide (December 2026): each of its seven sections is
recognised as its own danger in all ten languages; the message's best section
is ``SECOND_WITHIN`` or less ahead of the next one in a message that states two
dangers ("they locked us in and send us to the front tomorrow").
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.index.snapshot import DocInfo
from bot.index.view import IndexView
from bot.knowledge.models import Passage

ROLE = "first-steps"
FALLBACK_LANG = "en"
DANGERS = ("detained", "signing", "locked_in", "front", "hurt", "self_harm", "signed")
# A second section is given when it is this close to the best one and names another danger.
SECOND_WITHIN = 0.012
# A section closer than this to none of the dangers' words is used without naming one.
MIN_DANGER_SIMILARITY = 0.80


@dataclass(frozen=True)
class Step:
    """A section of the first-steps guide matched to a message."""

    passage: Passage
    doc: DocInfo
    similarity: float  # of the message to the section
    danger: str | None  # the danger the section is about (DANGERS), if recognised


def first_steps_guide(view: IndexView, lang: str) -> DocInfo | None:
    """The published first-steps guide in ``lang``, else the English one, else None."""
    by_lang = {d.lang: d for d in view.documents.values() if d.role == ROLE}
    return by_lang.get(lang) or by_lang.get(FALLBACK_LANG)


class FirstSteps:
    def __init__(self, phrases: Mapping[str, Mapping[str, Sequence[float]]]) -> None:
        """``phrases``: danger -> language -> the vector of the words that name it
        (the E5 query role, like a message)."""
        self._phrases = {d: {lang: [float(x) for x in v] for lang, v in by.items()}
                         for d, by in phrases.items()}
        self._dangers: dict[tuple[str, str, str], dict[str, str | None]] = {}
        self._lock = threading.Lock()

    def match(self, view: IndexView, vector: Sequence[float], lang: str) -> list[Step]:
        """The sections of the first-steps guide for a message: the closest, and the next
        closest when it is nearly as close and about another danger. Empty without a guide."""
        guide = first_steps_guide(view, lang)
        if guide is None:
            return []
        sections = _sections(view, guide)
        if not sections:
            return []
        found = view.store.query(vector, len(sections), lang=guide.lang, doc_id=guide.doc_id)
        ranked = [(view.passages[view.by_id[pid]], sim) for pid, sim in found
                  if pid in view.by_id]
        if not ranked:
            return []
        dangers = self.dangers(view, guide)
        best, best_sim = ranked[0]
        steps = [Step(best, guide, best_sim, dangers.get(best.id))]
        for passage, sim in ranked[1:]:
            danger = dangers.get(passage.id)
            if best_sim - sim > SECOND_WITHIN:
                break
            if danger is not None and danger != steps[0].danger:
                steps.append(Step(passage, guide, sim, danger))
                break
        return steps

    def dangers(self, view: IndexView, guide: DocInfo) -> dict[str, str | None]:
        """Passage id -> the danger its section is about, once per index generation."""
        key = (view.generation, guide.doc_id, guide.lang)
        with self._lock:
            known = self._dangers.get(key)
        if known is not None:
            return known
        sections = _sections(view, guide)
        closeness: dict[str, dict[str, float]] = {p.id: {} for p in sections}
        for danger, by_lang in self._phrases.items():
            vectors = [v for lang, v in by_lang.items() if lang in (FALLBACK_LANG, guide.lang)]
            for v in vectors:
                for pid, sim in view.store.query(v, len(sections), lang=guide.lang,
                                                 doc_id=guide.doc_id):
                    if pid in closeness:
                        closeness[pid][danger] = closeness[pid].get(danger, 0.0) + \
                            sim / len(vectors)
        out: dict[str, str | None] = {}
        for pid, by_danger in closeness.items():
            best = max(by_danger.items(), key=lambda kv: kv[1], default=None)
            out[pid] = best[0] if best and best[1] >= MIN_DANGER_SIMILARITY else None
        with self._lock:
            self._dangers = {k: v for k, v in self._dangers.items() if k[0] == view.generation}
            self._dangers[key] = out
        return out


def _sections(view: IndexView, guide: DocInfo) -> list[Passage]:
    return [p for p in view.passages if p.doc_id == guide.doc_id and p.lang == guide.lang]
