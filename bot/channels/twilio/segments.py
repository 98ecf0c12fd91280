"""How long a message is, the way Twilio and the phone networks count it.

Twilio refuses a body over 1,600 characters; we count UTF-16 code units, which
is never less than what Twilio counts (an emoji is two). SMS is billed per
segment: 153 GSM-7 characters, or 67 UCS-2 units as soon as one character is
outside GSM-7 (Arabic, Devanagari, Cyrillic, an emoji), so the same reply costs
more segments and arrives in more pieces in those scripts.
"""

from __future__ import annotations

import math

TWILIO_MAX_BODY = 1600

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def sms_units(text: str) -> int:
    """Length in the SMS encoding's units: septets for GSM-7, code units for UCS-2."""
    if is_gsm7(text):
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    return utf16_units(text)


def sms_segments(text: str) -> int:
    if not text:
        return 1
    units = sms_units(text)
    single, multi = (160, 153) if is_gsm7(text) else (70, 67)
    return 1 if units <= single else math.ceil(units / multi)


def fit(text: str, limit: int = TWILIO_MAX_BODY) -> str:
    """The longest prefix of ``text`` within ``limit`` UTF-16 units (the last guard)."""
    if utf16_units(text) <= limit:
        return text
    out: list[str] = []
    used = 0
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > limit - 1:
            break
        out.append(ch)
        used += size
    return "".join(out).rstrip() + "…"
