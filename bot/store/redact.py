"""Redact personal details from text before it is stored or logged.

Replaces e-mail addresses, IBANs, phone numbers and passport, migration-card or
other document numbers with a placeholder. It errs on the side of removing
too much: a question loses nothing that matters for the answer when a number
goes, and a stored number could hurt the person who sent it. Dates are kept.
"""

from __future__ import annotations

import re

from bot.text.patterns import EMAIL

IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
# Dates such as 2024-06-09, 09.06.2024, 9/6/24 are kept: they matter to visa questions.
DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")
# Any run of digits with the separators people type in numbers: phone numbers,
# document numbers written with spaces ("45 06 123456"), card numbers.
DIGIT_RUN = re.compile(r"\+?\d(?:[\d\s().\-/]*\d)?")
# Tokens that mix letters and digits, such as passport numbers (AB1234567, 7512345678X).
DOCUMENT = re.compile(r"\b(?=\w*\d)(?=\w*[^\W\d_])\w{6,20}\b")

MIN_DIGITS = 6
PLACEHOLDERS = {"email": "[email]", "iban": "[iban]", "number": "[number]", "doc": "[document]"}


def _digits(s: str) -> int:
    return sum(ch.isdigit() for ch in s)


def redact(text: str) -> str:
    """The text with e-mails, IBANs, phone and document numbers replaced, and without NUL
    characters (PostgreSQL refuses them in text; they are also this function's markers)."""
    if not text:
        return text
    text = text.replace("\x00", "")
    out = EMAIL.sub(PLACEHOLDERS["email"], text)
    out = IBAN.sub(PLACEHOLDERS["iban"], out)

    kept: list[str] = []

    def keep_date(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return f"\x00{len(kept) - 1}\x00"

    out = DATE.sub(keep_date, out)
    out = DOCUMENT.sub(
        lambda m: PLACEHOLDERS["doc"] if _digits(m.group(0)) >= 4 else m.group(0), out
    )
    out = DIGIT_RUN.sub(
        lambda m: PLACEHOLDERS["number"] if _digits(m.group(0)) >= MIN_DIGITS else m.group(0),
        out,
    )
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], out)
