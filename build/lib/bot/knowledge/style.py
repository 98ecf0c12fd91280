"""Editorial checks on a guide's body: what a reader on SMS sees first, and no contacts.

On SMS a person reads about two sentences, starting with the first sentence of the
best section, so that sentence must carry an answer: a first sentence of a few words
("Act quickly.") or one that only announces what follows ("Our advice:") becomes the
whole reply. These are warnings: the guide is still served.

Phone numbers and e-mail addresses in a body are errors: contacts live in the
referral registry, where each has a source, a check date and a warning, and where
the final check of every answer looks them up.
"""

from __future__ import annotations

import re

from bot.knowledge.chunker import split_passages
from bot.knowledge.models import Document, Problem
from bot.text.sentences import split_sentences

MIN_FIRST_WORDS = 6
# "Our advice:", "Do this:": a sentence this short that ends in a colon only announces.
ANNOUNCING_WORDS = 8
# A phone number: "+" and 7 or more digits, or 8 or more digits, in groups separated
# by spaces, dots, hyphens or brackets. ISO dates (2024-06-26) are not phones.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d[\d ().-]{5,}\d|\d[\d ().-]{6,}\d)(?![\w])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def check_style(doc: Document) -> list[Problem]:
    problems: list[Problem] = []
    lines = doc.body.split("\n")
    for passage in split_passages(doc):
        sentences = split_sentences(passage.text)
        first = sentences[0] if sentences else ""
        line = _line_of(lines, first, doc.body_line)
        words = len(first.split())
        for later in sentences[1:]:
            if later.endswith(":") and len(later.split()) < ANNOUNCING_WORDS:
                problems.append(_warn(doc, _line_of(lines, later, doc.body_line),
                    f"'{later}' only announces what follows: a reply may quote it without "
                    "what it announces; say the advice itself in that sentence"))
        if first.endswith(":"):
            problems.append(_warn(doc, line,
                f"section '{passage.section}' opens with '{first}', which only announces "
                "what follows: on SMS it may be all a reader sees; open with the answer"))
        elif words < MIN_FIRST_WORDS:
            problems.append(_warn(doc, line,
                f"section '{passage.section}' opens with a sentence of {words} words "
                f"('{first}'): on SMS the first sentence is the answer; give it at least "
                f"{MIN_FIRST_WORDS} words that answer the heading"))
    for i, text in enumerate(lines):
        line = doc.body_line + i
        for match in _PHONE.finditer(text):
            digits = sum(c.isdigit() for c in match.group())
            if _DATE.fullmatch(match.group().strip()) or (digits < 8 and "+" not in match.group()):
                continue
            problems.append(Problem(doc.path, line, "body",
                f"'{match.group().strip()}' looks like a phone number: contacts belong in the "
                "referral registry (referrals/*.yaml), listed in 'referrals:'"))
        for match in _EMAIL.finditer(text):
            problems.append(Problem(doc.path, line, "body",
                f"'{match.group()}' is an e-mail address: contacts belong in the referral "
                "registry (referrals/*.yaml), listed in 'referrals:'"))
    return problems


def _warn(doc: Document, line: int, message: str) -> Problem:
    return Problem(doc.path, line, "body", message, "warning")


def _line_of(lines: list[str], sentence: str, body_line: int) -> int:
    """The file line where a sentence starts (Markdown markup may surround it)."""
    probe = " ".join(sentence.split()[:4])
    for i, text in enumerate(lines):
        if probe and probe in " ".join(text.split()):
            return body_line + i
    return body_line
