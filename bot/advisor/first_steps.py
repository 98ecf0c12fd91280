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

A section is given only when the message states its danger in words
(``stated.py``): never by closeness alone, so "what now?" or "army people will come
tomorrow" never gets the self-harm or the wounded section. Among the stated dangers,
thinking of self-harm and being pushed to sign now come first ("do not sign" is
the first step), then the closest. A message that states no danger gets the section for
everyone (``GENERAL``: the section headed with the words of ``danger_unknown``, "If you
are in danger now"; a translation's is the one in the English one's place), named as
no specific danger ("If you are in danger now:").

A translation with the English guide's sections in the same order takes the English
sections' dangers section by section (``_as_original``). Measured on the shipped guide
(December 2026): each of its eight sections is recognised as its own danger (or as
the one for everyone) in English, and so in every translation.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.advisor.stated import StatedDangers
from bot.index.snapshot import DocInfo
from bot.index.view import IndexView
from bot.knowledge.models import Passage
from bot.retrieval.retriever import Hit

ROLE = "first-steps"
FALLBACK_LANG = "en"
DANGERS = ("detained", "signing", "locked_in", "front", "hurt", "self_harm", "signed")
# The section for everyone, whatever the danger: the one headed with the words of
# danger_unknown ("If you are in danger now").
GENERAL = "unknown"
# Stated dangers whose section comes first, whatever is closer.
FIRST = ("self_harm", "signing")
# At most this many sections for one message.
MAX_SECTIONS = 2
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
    def __init__(self, phrases: Mapping[str, Mapping[str, Sequence[float]]],
                 stated: StatedDangers | None = None,
                 general: Mapping[str, str] | None = None) -> None:
        """``phrases``: danger -> language -> the vector of the words that name it
        (the E5 query role, like a message); ``stated``: the cues that state each one;
        ``general``: language -> the heading of the section for everyone."""
        self.stated = stated or StatedDangers({})
        self._general = dict(general or {})
        self._phrases = {d: {lang: [float(x) for x in v] for lang, v in by.items()}
                         for d, by in phrases.items()}
        self._dangers: dict[tuple[str, str, str], dict[str, str | None]] = {}
        self._lock = threading.Lock()

    def match(self, view: IndexView, vector: Sequence[float], lang: str,
              text: str = "") -> list[Step]:
        """The sections of the first-steps guide for a message: those of the dangers it
        states (self-harm and being pushed to sign first, then the closest), at most two
        and never two that exclude each other; the section for everyone when it states
        none. Empty without a guide."""
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
        stated = self.stated.of(text)
        candidates = [Step(p, guide, sim, dangers.get(p.id)) for p, sim in ranked
                      if dangers.get(p.id) in stated]
        candidates.sort(key=lambda s: FIRST.index(s.danger) if s.danger in FIRST
                        else len(FIRST))  # stable: the closest next
        steps: list[Step] = []
        for step in candidates:
            if len(steps) == MAX_SECTIONS:
                break
            if all(compatible(s.danger, step.danger or "") for s in steps):
                steps.append(step)
        if steps:
            return steps
        # No danger stated: the section for everyone, else (a guide without one) the
        # closest section that names no danger, else none.
        for wanted in (GENERAL, None):
            for passage, sim in ranked:
                if dangers.get(passage.id) == wanted:
                    return [Step(passage, guide, sim, wanted)]
        return []

    def unstated(self, view: IndexView, hits: Sequence[Hit], text: str) -> list[Hit]:
        """``hits`` without the first-steps sections of dangers that ``text`` does not
        state: retrieval must not bring the self-harm steps to "how do I go home?"."""
        stated = self.stated.of(text)
        kept = []
        for hit in hits:
            if hit.doc.role == ROLE:
                danger = self.dangers(view, hit.doc).get(hit.passage.id)
                if danger in DANGERS and danger not in stated:
                    continue
            kept.append(hit)
        # A folder whose first-steps guide is not organised by danger (its sections only
        # resemble one) keeps its guidance rather than answering nothing.
        return kept or list(hits)

    def dangers(self, view: IndexView, guide: DocInfo) -> dict[str, str | None]:
        """Passage id -> the danger its section is about, once per index generation."""
        key = (view.generation, guide.doc_id, guide.lang)
        with self._lock:
            known = self._dangers.get(key)
        if known is not None:
            return known
        sections = _sections(view, guide)
        out = self._as_original(view, guide, sections)
        if out is None:
            out = self._recognised(view, guide, sections)
        with self._lock:
            self._dangers = {k: v for k, v in self._dangers.items() if k[0] == view.generation}
            self._dangers[key] = out
        return out

    def _as_original(self, view: IndexView, guide: DocInfo,
                     sections: list[Passage]) -> dict[str, str | None] | None:
        """A translation with the original's sections in the same order gets the
        original's dangers section by section: the words of a danger can sit closer to a
        neighbouring section in another language (Swahili "signing" read as "locked in").
        None when there is no such original."""
        if guide.lang == FALLBACK_LANG:
            return None
        original = next((d for d in view.documents.values() if d.role == ROLE
                         and d.doc_id == guide.doc_id and d.lang == FALLBACK_LANG), None)
        if original is None:
            return None
        mine, theirs = _order(sections), _order(_sections(view, original))
        if len(mine) != len(theirs):
            return None
        named = self.dangers(view, original)
        first_of = {p.section: p.id for p in reversed(_sections(view, original))}
        by_section = {m: named.get(first_of[t]) for m, t in zip(mine, theirs, strict=True)}
        return {p.id: by_section[p.section] for p in sections}

    def _recognised(self, view: IndexView, guide: DocInfo,
                    sections: list[Passage]) -> dict[str, str | None]:
        """Each section's danger by the closeness of its passages to the danger's words."""
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
        heading = self._general.get(guide.lang, self._general.get(FALLBACK_LANG, ""))
        named: dict[str, str] = {sec: GENERAL for sec in by_section
                                 if heading and _same_heading(sec, heading)}
        named.update(assign_dangers({sec: by for sec, by in by_section.items()
                                     if sec not in named}))
        return {pid: named.get(section_of[pid]) for pid in closeness}


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


def _same_heading(section: str, heading: str) -> bool:
    def bare(text: str) -> str:
        return text.casefold().strip().rstrip(":：。").strip()
    return bare(section) == bare(heading)


def _order(passages: list[Passage]) -> list[str]:
    """The sections of a guide's passages, in the order they come."""
    return list(dict.fromkeys(p.section for p in passages))


def _sections(view: IndexView, guide: DocInfo) -> list[Passage]:
    return [p for p in view.passages if p.doc_id == guide.doc_id and p.lang == guide.lang]
