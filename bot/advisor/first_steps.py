"""First steps for someone in danger, from whichever guide declares itself the first-steps guide.

A knowledge folder marks one guide per language with ``role: first-steps`` in
its front matter; its id can be anything. An urgent message gets the section of
that guide that matches the danger it states (two sections when it states two
dangers), in the user's language when the guide is translated, else in English.

Each section is recognised as one of the dangers named in ``prompts/safety``
(``DANGERS``: detained, being made to sign, locked in, at the front, hurt,
thinking of self-harm, already signed) by how close the section (its closest
passage) is to the words that name the danger, in English and in the section's
language, the closest pairs first and each danger naming one section
(``assign_dangers``), so a folder whose guide is organised differently still gets
the right words, or none: a section that matches no danger well is used without
naming one. Every passage of a section names the section's danger. A second
danger is named only when it is compatible with the first (``EXCLUSIVE``: being
pushed to sign now and having signed are never named together).

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
# Dangers one message cannot both state: being pushed to sign now, and having signed.
EXCLUSIVE = (frozenset({"signing", "signed"}),)


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
            if danger is not None and compatible(steps[0].danger, danger):
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
        section_of = {p.id: p.section for p in sections}
        by_section: dict[str, dict[str, float]] = {}
        for pid, by_danger in closeness.items():
            mine = by_section.setdefault(section_of[pid], {})
            for danger, sim in by_danger.items():
                mine[danger] = max(mine.get(danger, 0.0), sim)
        named = assign_dangers(by_section)
        out: dict[str, str | None] = {pid: named.get(section_of[pid]) for pid in closeness}
        with self._lock:
            self._dangers = {k: v for k, v in self._dangers.items() if k[0] == view.generation}
            self._dangers[key] = out
        return out


def compatible(first: str | None, second: str) -> bool:
    """Whether a second danger may be named beside the first: another one, and not one
    that the first rules out (pushed to sign now, and already signed)."""
    return second != first and frozenset({first, second}) not in EXCLUSIVE


def assign_dangers(closeness: Mapping[str, Mapping[str, float]]) -> dict[str, str]:
    """Section -> the danger it is about: the closest pairs first, each danger naming one
    section and each section one danger, none below ``MIN_DANGER_SIMILARITY``. A section
    whose text touches another danger ("choose between a contract and deportation" under
    "detained") keeps its own; a guide with one section per danger gets each named once."""
    pairs = sorted(((sim, section, danger) for section, by in closeness.items()
                    for danger, sim in by.items() if sim >= MIN_DANGER_SIMILARITY),
                   key=lambda x: (-x[0], x[1], x[2]))
    out: dict[str, str] = {}
    for _sim, section, danger in pairs:
        if section not in out and danger not in out.values():
            out[section] = danger
    return out


def _sections(view: IndexView, guide: DocInfo) -> list[Passage]:
    return [p for p in view.passages if p.doc_id == guide.doc_id and p.lang == guide.lang]
