"""Where sentences end: one rule for quoting, cutting passages and splitting messages.

"Article 24.2", "No. 29" and "e.g. a friend" must not end a sentence; list
items and line breaks always do. A sentence ends at one of :data:`END_MARKS`
(with any closing quotes or brackets) followed by space, when the next
sentence starts with neither a digit nor a lower-case letter and the word
before the mark is not a known abbreviation.

Three callers: the composer and the citations quote whole sentences
(:func:`split_sentences`); the chunker cuts an over-long paragraph between
sentences, and a long reply is split into messages between sentences
(:func:`sentence_pieces`, which keeps every character).
"""

from __future__ import annotations

import re

# Latin, Arabic question mark, Devanagari danda, Ethiopic full stop, Myanmar and CJK stops,
# and the ellipsis.
END_MARKS = ".!?\u2026\u061F\u0964\u1362\u104B\u3002"
# Also end a line as a sentence (it needs no "." added): the double danda, the Urdu full
# stop, full-width marks, and the semicolons a list item may end with.
_LINE_END_MARKS = END_MARKS + "\u0965\u06D4\uff01\uff1f\u1367:;\uff1a\u1366\u061B"
# What ends a sentence that introduces a list: a colon (Latin, full-width, Ethiopic "፦").
INTRO_MARKS = (":", "\uff1a", "\u1366")
_END = re.compile(rf"[{END_MARKS}][\"'»”’)\]]*(\s+)(?=[^\s\da-z])")
_CLOSERS = "\"'»”’)]"


def ends_sentence(line: str) -> bool:
    """Whether a line already ends as a sentence, in any script ("...किया।", "ماذا؟",
    "(...)."), so that no "." is added after it."""
    return line.rstrip().rstrip(_CLOSERS).endswith(tuple(_LINE_END_MARKS))


_ABBREVIATIONS = frozenset(
    "e.g i.e art arts no nos etc mr mrs ms dr st vs cf approx ст п ч".split()
)
_LAST_WORD = re.compile(r"([\w.]+)$")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


def _ends(line: str) -> list[tuple[int, int]]:
    """(end of a sentence, start of the next) for each sentence end in one line; a list
    item's number ("2. ") is no sentence: it stays with its item's text."""
    out = []
    bullet = _BULLET.match(line)
    for match in _END.finditer(line, bullet.end() if bullet else 0):
        word = _LAST_WORD.search(line[: match.start() + 1].rstrip("."))
        if word and word.group(1).casefold() in _ABBREVIATIONS:
            continue
        out.append((match.start(1), match.end(1)))
    return out


def split_sentences(text: str) -> list[str]:
    """The sentences of a text, stripped; list bullets and numbers removed."""
    out: list[str] = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        start = 0
        for end, following in _ends(line):
            piece = line[start:end].strip()
            if piece:
                out.append(piece)
            start = following
        rest = line[start:].strip()
        if rest:
            out.append(rest)
    return out


def sentence_pieces(line: str) -> list[str]:
    """One line cut after each sentence end; the pieces join back into the line.

    The space after a sentence stays at the end of its piece.
    """
    pieces: list[str] = []
    start = 0
    for _end, following in _ends(line):
        pieces.append(line[start:following])
        start = following
    if start < len(line):
        pieces.append(line[start:])
    return pieces
