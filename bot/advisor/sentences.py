"""Sentence splitting for extractive answers, careful with legal references.

"Article 24.2", "No. 29" and "e.g. a friend" must not end a sentence; list items
and line breaks always do.
"""

from __future__ import annotations

import re

# A sentence ends at . ! ? and the Arabic, Devanagari and CJK stops (plus closing
# quotes or brackets), when the next one starts with neither a digit nor a
# lower-case letter.
_END = re.compile(r"[.!?\u061F\u0964\u3002][\"'»”’)\]]*(\s+)(?=[^\s\da-z])")
_ABBREVIATIONS = frozenset(
    "e.g i.e art arts no nos etc mr mrs ms dr st vs cf approx ст п ч".split()
)
_LAST_WORD = re.compile(r"([\w.]+)$")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


def split_sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        start = 0
        for match in _END.finditer(line):
            word = _LAST_WORD.search(line[: match.start() + 1].rstrip("."))
            if word and word.group(1).casefold() in _ABBREVIATIONS:
                continue
            piece = line[start : match.start(1)].strip()
            if piece:
                out.append(piece)
            start = match.end(1)
        rest = line[start:].strip()
        if rest:
            out.append(rest)
    return out
