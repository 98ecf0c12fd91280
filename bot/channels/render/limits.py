"""How long a message may be, and how long it is, the way Twilio and the phone networks count.

Every limit on what the assistant sends lives here. Twilio refuses a body over
1,600 characters; we count UTF-16 code units, which is never less than what
Twilio counts (an emoji is two). SMS is billed per segment: 153 GSM-7
characters, or 67 UCS-2 units as soon as one character is outside GSM-7
(Arabic, Devanagari, Cyrillic, an emoji), so the same reply costs more
segments, and arrives in more pieces, in those scripts.

A Spanish, Portuguese or French reply is in Latin letters but has a few GSM-7
lacks (á í ó ú ã õ ç ê â): one of them sends the whole reply in UCS-2.
``fold_accents`` writes those letters as their base letter (the ones GSM-7 has,
é è ù ì ò à ñ ü ä ö å ø ¿ ¡ Ç É Ñ Ü, stay) when that alone makes the whole text
GSM-7; web addresses are never touched, and a text in another script (Cyrillic,
Devanagari, Arabic) stays as it is, in UCS-2. Segments: 160 GSM-7 characters
alone or 153 in a long message (an extension-table character such as € counts
twice), 70 UCS-2 units alone or 67.
"""

from __future__ import annotations

import re
import unicodedata

TWILIO_MAX_BODY = 1600  # one WhatsApp or SMS message body (Twilio's limit)
WEB_MAX_CHARS = 4000  # an answer on the web page or from the API: still readable at once
SMS_MAX_CHARS = 700  # an SMS answer in all, its first part and what MORE sends
SMS_SEGMENTS = 4  # an SMS part aims at four segments at most, then "reply MORE"
# A CONTACTS page by SMS: whole contacts, as many as fit in this many segments (a list of
# numbers is read at once: one contact a message, then MORE, is one reply too many).
SMS_CONTACT_SEGMENTS = 8
# An urgent answer's first SMS may take six: its first step and a number to call come
# first, and the danger and the alert join them within these.
SMS_URGENT_SEGMENTS = 6
NUMBER_RESERVE = 10  # room for "(12/12) " before a WhatsApp part

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
# Typographic characters outside GSM-7, by the GSM-7 characters that say the same: one
# "…" or curly quote would send a whole English SMS in UCS-2 (70 characters a segment,
# not 160). Letters are never replaced: accents stay in the user's language.
GSM7_EQUIVALENTS = str.maketrans({
    "…": "...", "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "•": "-",
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u200b": "",
})


# Letters with no decomposition to a base letter that a reader still recognises written so.
_LIGATURES = {"œ": "oe", "Œ": "OE"}
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
GSM7_SINGLE, GSM7_PART = 160, 153  # septets: one SMS, a part of a long one
UCS2_SINGLE, UCS2_PART = 70, 67  # UTF-16 units: one SMS, a part of a long one


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def gsm7_typography(text: str) -> str:
    """``text`` with its typographic characters as GSM-7 has them ("…" as "...")."""
    return text.translate(GSM7_EQUIVALENTS)


def _base_letter(ch: str) -> str | None:
    """A Latin letter GSM-7 lacks, as its base letter ("á" -> "a"); None for anything else."""
    if ch in _LIGATURES:
        return _LIGATURES[ch]
    if not unicodedata.category(ch).startswith("L"):
        return None
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if marks and base.isascii() and base.isalpha() and all(
            unicodedata.category(m) == "Mn" for m in marks):
        return base
    return None


def fold_accents(text: str) -> str:
    """``text`` with the accented Latin letters GSM-7 lacks as their base letters, when
    that makes it all GSM-7 (outside its web addresses, which are never changed); else
    ``text`` unchanged: a reply in another script keeps every letter."""
    if is_gsm7(text):
        return text
    out: list[str] = []
    end = 0
    for url in _URL.finditer(text):
        out.append(_folded(text[end:url.start()]))
        out.append(url.group())
        end = url.end()
    out.append(_folded(text[end:]))
    folded = "".join(out)
    return folded if is_gsm7(folded) else text


def _folded(text: str) -> str:
    return "".join(ch if ch in GSM7_BASIC or ch in GSM7_EXTENDED else (_base_letter(ch) or ch)
                   for ch in text)


def sms_text(text: str, fold: bool = True) -> str:
    """An SMS body as GSM-7 carries it: its typography as GSM-7 has it and, with ``fold``,
    its accented letters too when that makes it all GSM-7 (``fold_accents``)."""
    typed = gsm7_typography(text)
    return fold_accents(typed) if fold else typed


def sms_segments(text: str) -> int:
    """How many SMS segments ``text`` takes, as Twilio counts them."""
    units = sms_units(text)
    single, part = (GSM7_SINGLE, GSM7_PART) if is_gsm7(text) else (UCS2_SINGLE, UCS2_PART)
    return 1 if units <= single else -(-units // part)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def sms_units(text: str) -> int:
    """Length in the SMS encoding's units: septets for GSM-7, code units for UCS-2."""
    if is_gsm7(text):
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    return utf16_units(text)


def sms_part_limit(text: str, segments: int = SMS_SEGMENTS) -> int:
    """The units of an SMS part of ``text``: ``segments`` segments in its encoding."""
    return segments * (GSM7_PART if is_gsm7(text) else UCS2_PART)


def prefix(text: str, units: int) -> str:
    """The longest prefix of ``text`` within ``units`` UTF-16 units."""
    if utf16_units(text) <= units:
        return text
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            return text[:i]
    return text


def fit(text: str, limit: int = TWILIO_MAX_BODY) -> str:
    """``text`` within ``limit`` UTF-16 units, cut with an ellipsis when longer."""
    if utf16_units(text) <= limit:
        return text
    return prefix(text, max(limit - 1, 0)).rstrip() + "…"
