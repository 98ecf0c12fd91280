"""Cue words found in a message, from editable lists per language.

An embedding knows what a message is about, but barely tells "they took my
passport, I can't leave" from "can an employer keep a passport?". People in
danger say *now*, *tonight*, *I'm in*, *can't leave*; people asking in general
say *what if*, *is it legal*. Two checks weigh such words beside a message's
meaning, and neither lets a cue decide alone: the triage
(``bot/advisor/triage/features.py``, cues in ``prompts/triage/<lang>.yaml``) and
the refusal check (``cued.py``, ``prompts/refusals_cues.yaml``: weather, recipe).

A cues file maps a language to its cues. A cue is one or more words, matched
as whole words in order, ignoring case, accents and doubled letters in Latin
script; a final ``*`` matches any ending of the last word (``заперт*`` matches
``заперты``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

# Words: letters and digits, and the combining signs of the scripts we serve
# (Python's \w leaves out Devanagari vowel signs); not their punctuation.
_WORD = re.compile(
    r"[^\W_]+(?:[\u0900-\u0963\u0966-\u097F\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED"
    r"\u135D-\u135F][^\W_]*)*"
)


# Arabic writes "and" and "so" as a letter joined to the next word.
_JOINED = ("و", "ف")


_LATIN = re.compile(r"^[a-z0-9\u00C0-\u024F']+$")
_REPEATS = re.compile(r"([a-z])\1+")


def _spelling(token: str) -> str:
    """A word in Latin letters without accents and doubled letters: romanised Hindi,
    Nepali and Arabic have no fixed spelling ("jaane", "jane"; "nahi", "nahii"), and
    people on phones drop accents ("arrete" for "arrêté"). Other scripts are kept
    as they are: their combining signs are letters."""
    if not _LATIN.match(token):
        return token
    bare = "".join(c for c in unicodedata.normalize("NFKD", token)
                   if not unicodedata.combining(c))
    return _REPEATS.sub(r"\1", bare)


def words(text: str) -> list[str]:
    return [_spelling(w) for w in _WORD.findall(text.casefold())]


def _bare(token: str, cue: str) -> str:
    """``token`` without a joined conjunction that the cue word does not have."""
    if token[:1] in _JOINED and not cue.startswith(token[:1]) and len(token) > 2:
        return token[1:]
    return token


def _same(token: str, cue: str) -> bool:
    return token == cue or _bare(token, cue) == cue


class Cues:
    """Cues per language; a message is searched for those of its language and of
    every other language we serve (people mix languages, and detection can be wrong)."""

    def __init__(self, by_lang: Mapping[str, Iterable[str]]) -> None:
        # (order in the file, words, last word is a prefix, as written)
        self._cues: list[tuple[int, tuple[str, ...], bool, str]] = []
        for items in by_lang.values():
            for cue in items:
                prefix = cue.endswith("*")
                tokens = tuple(words(cue.rstrip("*")))
                if tokens:
                    self._cues.append((len(self._cues), tokens, prefix, cue))
        # Looked up by a message's words, not tried one by one: every message is
        # searched for every cue of every language, twice per question.
        self._by_first: dict[str, list[tuple[int, tuple[str, ...], bool, str]]] = {}
        self._stems: list[tuple[int, tuple[str, ...], bool, str]] = []
        for entry in self._cues:
            _, tokens, prefix, _ = entry
            if prefix and len(tokens) == 1:
                self._stems.append(entry)
            else:
                self._by_first.setdefault(tokens[0], []).append(entry)

    def __len__(self) -> int:
        return len(self._cues)

    def find(self, text: str) -> str | None:
        """The cue found in ``text`` that comes first in the file, as written there."""
        tokens = words(text)
        best: tuple[int, str] | None = None
        for i, token in enumerate(tokens):
            candidates = list(self._by_first.get(token, ()))
            if token[:1] in _JOINED and len(token) > 2:
                candidates += self._by_first.get(token[1:], ())
            candidates += self._stems
            for order, cue, prefix, original in candidates:
                if best is not None and order >= best[0]:
                    continue
                if _matches(tokens, i, cue, prefix):
                    best = (order, original)
        return best[1] if best else None


def _matches(tokens: list[str], i: int, cue: tuple[str, ...], prefix: bool) -> bool:
    n = len(cue)
    if i + n > len(tokens):
        return False
    if not all(map(_same, tokens[i : i + n - 1], cue[:-1])):
        return False
    last = _bare(tokens[i + n - 1], cue[-1])
    return last == cue[-1] or (prefix and last.startswith(cue[-1]))


def read_cues(path: Path) -> Cues:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: expected a mapping of language codes to lists of cues")
    for lang, items in data.items():
        if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
            raise ValueError(f"{path}: `{lang}` must be a list of words or phrases")
    return Cues(data)
