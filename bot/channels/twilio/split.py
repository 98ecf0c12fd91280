"""Split a long reply at sentence boundaries into parts that each fit a limit.

WhatsApp gets numbered parts ("(1/3) ..."); SMS gets a first part that ends
with "reply MORE" and keeps the rest for the MORE command. Every part is at
most 1,600 UTF-16 units whatever the input (tested with hypothesis).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.channels.twilio.segments import TWILIO_MAX_BODY, fit, utf16_units

Measure = Callable[[str], int]
# After sentence-ending punctuation of our scripts (Latin, Arabic, Devanagari, Ethiopic, CJK).
_SENTENCE_END = re.compile(r"(?<=[.!?؟।။።。])\s+")
NUMBER_RESERVE = 10  # room for "(12/12) "


def _units(text: str) -> list[str]:
    """Paragraphs, then sentences, keeping the paragraph breaks on the pieces."""
    pieces: list[str] = []
    for paragraph in re.split(r"(\n\s*\n)", text):
        if not paragraph:
            continue
        if paragraph.strip() == "":
            if pieces:
                pieces[-1] += paragraph
            continue
        for line in re.split(r"(?<=\n)", paragraph):
            pieces.extend(p for p in _SENTENCE_END.split(line) if p)
    return pieces


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


def pack(text: str, limit: int, measure: Measure = utf16_units) -> list[str]:
    """Greedy parts of at most ``limit`` (by ``measure``), cut between sentences."""
    parts: list[str] = []
    current = ""
    for unit in _units(text):
        sep = "" if not current or current.endswith(("\n", " ")) else " "
        if measure(current + sep + unit) <= limit:
            current += sep + unit
            continue
        if current.strip():
            parts.append(current.strip())
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


def first_and_rest(
    text: str, limit: int, more_hint: str, measure: Measure = utf16_units
) -> tuple[str, str | None]:
    """SMS: the first part within ``limit`` ending with ``more_hint``, and the rest."""
    if measure(text) <= limit:
        return fit(text), None
    hint = "\n" + more_hint
    room = max(limit - measure(hint), limit // 2)
    parts = pack(text, room, measure)
    first = fit(parts[0] + hint)
    rest = "\n".join(parts[1:]).strip()
    return first, (rest or None)


SMS_SEGMENTS = 4  # an SMS reply aims at four segments at most, then "reply MORE"


def sms_limit(text: str) -> int:
    from bot.channels.twilio.segments import is_gsm7

    return SMS_SEGMENTS * (153 if is_gsm7(text) else 67)


def outbound_parts(text: str, channel: str, more_hint: str) -> tuple[list[str], str | None]:
    """The bodies to send now, and for SMS the rest kept for MORE."""
    if channel == "sms":
        from bot.channels.twilio.segments import sms_units

        first, rest = first_and_rest(text, sms_limit(text + more_hint), more_hint, sms_units)
        return [first], rest
    return numbered_parts(text), None
