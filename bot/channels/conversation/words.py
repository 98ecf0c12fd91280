"""The conversation's own words (``prompts/dialogue/<lang>.yaml``): texts and word lists.

Texts (the welcome, the menu, the situations a menu number asks about) fall
back to English key by key, like every other text of the assistant. Word lists
are comma-separated entries matched on a folded message (:func:`fold`):

    passport     the whole word or phrase
    passport*    a word that starts so ("passports")
    *saini       anywhere inside a word ("nimesaini"), for languages that attach
                 prefixes (Arabic, Swahili, Amharic)
    tra* people  each word of a phrase may end with *

Every language's lists are used for every message: a short message is often
misread as another language, and people mix languages ("mera passport le liya").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.advisor.strings import DEFAULT_LANG, Strings

# The menu's situations, in the order of their numbers (menu_1 .. menu_6; 7 is "something else").
SITUATIONS: tuple[str, ...] = ("sign", "held", "passport", "offer", "relative", "signed")
OTHER = len(SITUATIONS) + 1
RELATIVE = "relative"  # the situation of someone writing about another person
TOPIC = "topic"  # words about the subject that name no one situation
# Spellings people use interchangeably: Arabic taa marbuta and alif maqsura, the
# tatweel; Devanagari chandrabindu and anusvara.
_FOLD = {"ة": "ه", "ى": "ي", "ـ": "", "\u0901": "\u0902"}


def _accent(ch: str) -> bool:
    """A mark people leave out when they type: Latin and Cyrillic accents, Arabic
    vowel marks and hamza, the Devanagari nukta. Devanagari vowel signs are not:
    without them "मेरा" (my) would read as "मरा" (died)."""
    code = ord(ch)
    return (0x0300 <= code <= 0x036F or 0x0610 <= code <= 0x061A or 0x064B <= code <= 0x065F
            or code == 0x0670 or 0x06D6 <= code <= 0x06ED or code == 0x093C
            or ch in "\u200c\u200d")


def fold(text: str) -> str:
    """Casefolded, without accents and punctuation, words separated by single spaces.

    Unlike the commands' normalization it keeps every Devanagari vowel sign, so
    that a Hindi or Nepali word stays one word and keeps its meaning.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text.casefold()):
        if _accent(ch):
            continue
        ch = _FOLD.get(ch, ch)
        if ch:
            out.append(ch if (ch.isalnum() or unicodedata.category(ch)[0] == "M") else " ")
    return " ".join("".join(out).split())


@dataclass(frozen=True)
class Found:
    entry: str  # as folded
    lang: str  # the language whose list holds it
    start: int
    end: int  # a span of the folded text


class WordList:
    """One kind of list (greetings, words_passport, ...) of every language, compiled once."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        self._langs: dict[str, str] = {}
        patterns: list[tuple[int, str, str]] = []
        for raw, lang in entries:
            anywhere = raw.startswith("*")
            parts = [(fold(w), w.endswith("*")) for w in raw.strip().lstrip("*").split()]
            parts = [(w, star) for w, star in parts if w]
            if not parts:
                continue
            body = " ".join(re.escape(w) + ("[^ ]*" if star else "") for w, star in parts)
            last_star = parts[-1][1]
            if anywhere:
                pattern = rf"[^ ]*{body}" + ("" if last_star else "[^ ]*")
            else:
                pattern = rf"(?<![^ ]){body}" + ("" if last_star else "(?![^ ])")
            key = ("*" if anywhere else "") + " ".join(w + ("*" if star else "")
                                                       for w, star in parts)
            self._langs.setdefault(key, lang)
            patterns.append((len(key), key, pattern))
        # Longest first: "already signed" wins over "signed".
        patterns.sort(key=lambda p: -p[0])
        self._keys = [key for _n, key, _p in patterns]
        self._regex = re.compile("|".join(f"({p})" for _n, _k, p in patterns)) if patterns \
            else None

    def find(self, folded: str) -> Iterator[Found]:
        if self._regex is None:
            return
        for match in self._regex.finditer(folded):
            key = self._keys[match.lastindex - 1]  # type: ignore[operator]
            yield Found(key, self._langs[key], match.start(), match.end())

    def any(self, folded: str) -> bool:
        return next(self.find(folded), None) is not None


def _entries(value: str) -> list[str]:
    return [e.strip() for e in value.split(",") if e.strip()]


class DialogueWords:
    """The texts and the word lists of ``prompts/dialogue``."""

    def __init__(self, directory: Path) -> None:
        self.strings = Strings(directory)
        langs = self.strings.languages

        def own(key: str, lang: str) -> str:
            value = self.strings.get(key, lang)
            if lang != DEFAULT_LANG and value == self.strings.get(key, DEFAULT_LANG):
                return ""  # the English fallback: English's own list counts once
            return value

        def lists(key: str) -> WordList:
            return WordList((e, lang) for lang in langs for e in _entries(own(key, lang)))

        self.greetings = lists("greetings")
        self.thanks = lists("thanks")
        self.acknowledgements = lists("acknowledgements")
        self.fillers = lists("fillers")
        self.back_refs = lists("back_refs")
        self.contact_words = lists("contact_words")
        self.situations = {s: lists(f"words_{s}") for s in (*SITUATIONS, TOPIC)}
        self.places: dict[str, WordList] = {}
        by_place: dict[str, list[tuple[str, str]]] = {}
        for lang in langs:
            for group in own("places", lang).split(";"):
                code, _, names = group.partition(":")
                if code.strip() and names.strip():
                    by_place.setdefault(code.strip().upper(), []).extend(
                        (n, lang) for n in _entries(names))
        self.places = {code: WordList(names) for code, names in by_place.items()}

    def text(self, key: str, lang: str | None) -> str:
        return self.strings.get(key, lang or DEFAULT_LANG)

    def menu(self, lang: str | None) -> list[str]:
        """The menu's items, numbered from 1."""
        return [self.text(f"menu_{n}", lang) for n in range(1, OTHER + 1)]

    def acknowledges(self, text: str) -> bool:
        """Whether a message only acknowledges ("ok", "got it", "хорошо")."""
        folded = fold(text)
        spans = [(f.start, f.end) for f in self.acknowledgements.find(folded)]
        covered = set().union(*(range(a, b) for a, b in spans)) if spans else set()
        return bool(spans) and all(i in covered or ch == " " for i, ch in enumerate(folded))

    def compact_menu(self, lang: str | None) -> list[str]:
        """The menu's short items for SMS (``menu_sms``: separated by ";")."""
        return [item.strip() for item in self.text("menu_sms", lang).split(";") if item.strip()]

    def situation_question(self, number: int, lang: str | None) -> str:
        return self.text(f"situation_{number}", lang)


def load_dialogue(prompts: Path) -> DialogueWords:
    return DialogueWords(prompts / "dialogue")
