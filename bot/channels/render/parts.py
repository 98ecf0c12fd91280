"""A long text cut between sentences into messages that each fit Twilio's limit.

WhatsApp gets numbered parts ("(1/3) ..."); SMS gets a first part that ends
with "reply MORE" and keeps the rest for the MORE command. Every part is at
most 1,600 UTF-16 units whatever the input (tested with hypothesis).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.channels.render.limits import (
    NUMBER_RESERVE,
    TWILIO_MAX_BODY,
    fit,
    sms_part_limit,
    sms_units,
    utf16_units,
)
from bot.text.sentences import INTRO_MARKS, sentence_pieces

Measure = Callable[[str], int]


_LIST_ITEM = re.compile(r"^\s*\d+[.)]\s")


def _units(text: str) -> list[str]:
    """Paragraphs, then lines, then sentences, keeping the breaks on the pieces. A list
    item ("2. ...") is one piece: a part ends between items, and an item is cut between
    its sentences only when it is longer than a part (``pack``)."""
    pieces: list[str] = []
    for paragraph in re.split(r"(\n\s*\n)", text):
        if not paragraph:
            continue
        if paragraph.strip() == "":
            if pieces:
                pieces[-1] += paragraph
            continue
        for line in re.split(r"(?<=\n)", paragraph):
            pieces.extend([line] if _LIST_ITEM.match(line) else _sentences(line))
    return pieces


def _sentences(line: str) -> list[str]:
    return _with_citations(sentence_pieces(line))


_CITATION = re.compile(r"^\[\d+(?:, ?\d+)*\]\s*")


def _with_citations(pieces: list[str]) -> list[str]:
    """A sentence's citation marker ("... first. [1]") stays with it, never opening the
    next part."""
    out: list[str] = []
    for piece in pieces:
        marker = _CITATION.match(piece)
        if marker and out:
            out[-1] += marker.group(0)
            piece = piece[marker.end():]
        if piece:
            out.append(piece)
    return out


def _hard_split(text: str, limit: int, measure: Measure) -> list[str]:
    """A piece longer than the limit: cut at spaces, or anywhere when there are none."""
    out: list[str] = []
    current = ""
    for word in re.split(r"(?<=\s)", text):
        if measure(current + word) <= limit:
            current += word
            continue
        if current:
            out.append(current)
            current = ""
        while measure(word) > limit:
            cut = len(word)
            while cut > 1 and measure(word[:cut]) > limit:
                cut = max(1, cut * limit // max(measure(word[:cut]), 1) - 1)
            out.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        out.append(current)
    return out


def _held_back(current: str) -> tuple[str, str]:
    """A part never ends on a heading or an introduction ("Contacts:"): its last line
    goes on with what it introduces. (the part, the line carried to the next part)"""
    body = current.rstrip()
    head, _, last = body.rpartition("\n")
    if head.strip() and last.strip().endswith(INTRO_MARKS):
        return head.rstrip(), last.strip() + "\n"
    return body, ""


def pack(text: str, limit: int, measure: Measure = utf16_units) -> list[str]:
    """Greedy parts of at most ``limit`` (by ``measure``), cut between sentences."""
    parts: list[str] = []
    current = ""
    units = _units(text)
    while units:
        unit = units.pop(0)
        long_item = measure(unit) > limit and _LIST_ITEM.match(unit)
        sentences = _sentences(unit) if long_item else [unit]
        if len(sentences) > 1:  # a list item longer than a part: cut between its sentences
            units[:0] = sentences
            continue
        sep = "" if not current or current.endswith(("\n", " ")) else " "
        if measure(current + sep + unit) <= limit:
            current += sep + unit
            continue
        if current.strip():
            kept, carried = _held_back(current)
            parts.append(kept.strip())
            unit = carried + unit  # the heading goes on with what it introduces
        current = ""
        if measure(unit) <= limit:
            current = unit
        else:
            pieces = _hard_split(unit, limit, measure)
            parts.extend(p.strip() for p in pieces[:-1] if p.strip())
            current = pieces[-1] if pieces else ""
    if current.strip():
        parts.append(current.strip())
    return parts or [""]


def numbered_parts(text: str, limit: int = TWILIO_MAX_BODY) -> list[str]:
    """WhatsApp: one body, or "(i/n) " parts when the text is longer than the limit."""
    if utf16_units(text) <= limit:
        return [text]
    parts = pack(text, limit - NUMBER_RESERVE)
    n = len(parts)
    return [fit(f"({i}/{n}) {p}", limit) for i, p in enumerate(parts, start=1)]


def first_and_rest(text: str, more_hint: str) -> tuple[str, str | None]:
    """SMS: the first part within :data:`SMS_SEGMENTS` segments, ending with ``more_hint``,
    and the rest for MORE (None when everything fits in the first)."""
    limit = sms_part_limit(text + more_hint)
    if sms_units(text) <= limit:
        return fit(text), None
    hint = "\n" + more_hint
    room = max(limit - sms_units(hint), limit // 2)
    parts = pack(text, room, sms_units)
    first = fit(parts[0] + hint)
    rest = "\n".join(parts[1:]).strip()
    return first, (rest or None)
