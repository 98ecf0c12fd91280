"""What a message is, before anything is searched: a menu number, a greeting, thanks,
a fragment too vague to search, or a question; and what it names.

    choice     a menu number ("2", "٢", "#2")
    greeting   only greetings and words that say nothing ("hello? anyone there?")
    thanks     the same with thanks in it ("ok thank you")
    filler     only such words, no greeting ("please", "what can I do")
    contacts   no situation, few words, and asks for a number ("hotline number?")
    vague      no word that names a situation, and fewer than ``vague_words`` words
               ("I am scared"), or fewer than ``greeting_words`` after a greeting
               ("Hello? Is this the help line? I am a student from Kenya in Kazan
               and I am scared")
    question   everything else

The rule is structural (no situation word, few words) on data per language
(``prompts/dialogue``), so it holds for messages nobody wrote for the tests;
its false positives are measured on the question sets (a real question must
never get the menu: ``tests/channels/test_reading.py``).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from bot.advisor.places import HOME  # the country the service is about
from bot.channels.conversation.words import OTHER, SITUATIONS, TOPIC, DialogueWords, fold

Kind = Literal["choice", "greeting", "thanks", "filler", "contacts", "vague", "question"]
# Which situation a message is about when it names several: the more specific first
# ("I signed" also holds "sign").
PRIORITY = ("signed", "held", "passport", "relative", "offer", "sign")
_NUMBER_PREFIXES = ("#", "no", "n", "option", "nr")


@dataclass(frozen=True)
class Reading:
    kind: Kind
    words: int
    situations: tuple[str, ...] = ()  # named situations, most specific first
    topic: bool = False  # words about the subject that name no one situation
    choice: int | None = None  # a menu number, 1..OTHER
    refers_back: bool = False  # starts like a follow-up ("and my brother?")
    langs: tuple[str, ...] = ()  # languages of the words recognised, most first
    nationality: str | None = None  # one country named, not Russia
    location: str | None = None  # Russia, when named

    @property
    def situation(self) -> str | None:
        return self.situations[0] if self.situations else None


def menu_number(folded: str) -> int | None:
    """A message that is only a number from 1 to OTHER, in any script's digits."""
    tokens = folded.split()
    if tokens and tokens[0] in _NUMBER_PREFIXES and len(tokens) == 2:
        tokens = tokens[1:]
    if len(tokens) != 1:
        return None
    token = tokens[0].lstrip("#")
    try:
        if len(token) == 1:
            value = unicodedata.numeric(token)
        else:
            value = float("".join(str(unicodedata.decimal(ch)) for ch in token))
    except (TypeError, ValueError):
        return None
    number = int(value)
    return number if number == value and 1 <= number <= OTHER else None


def _without(folded: str, spans: list[tuple[int, int]]) -> str:
    chars = list(folded)
    for start, end in spans:
        chars[start:end] = [" "] * (end - start)
    return " ".join("".join(chars).split())


def _location(places: list[str], others: list[str], *, about_relative: bool) -> str | None:
    """Where the writer is, from the places the message names. Someone writing about
    themselves and naming Russia is in Russia. Someone writing about a relative ("my son
    went to Russia ... I am his mother in Kumasi") is where the other place is: Russia is
    the relative's. Otherwise unknown (the number's country decides only for +7)."""
    if about_relative:
        return others[0] if len(others) == 1 else None
    return HOME if HOME in places else None


def read(text: str, words: DialogueWords, vague_words: int,
         greeting_words: int | None = None) -> Reading:
    folded = fold(text)
    tokens = folded.split()
    langs: Counter[str] = Counter()
    number = menu_number(folded)
    if number is not None:
        return Reading("choice", len(tokens), choice=number)

    greetings = list(words.greetings.find(folded))
    thanks = list(words.thanks.find(folded))
    rest = _without(folded, [(f.start, f.end) for f in greetings + thanks])
    fillers = list(words.fillers.find(rest))
    langs.update(f.lang for f in greetings + thanks + fillers)

    found: dict[str, int] = {}
    for name, wordlist in words.situations.items():
        hits = list(wordlist.find(rest))
        if hits:
            found[name] = len(hits)
            langs.update(f.lang for f in hits)
    situations = tuple(s for s in PRIORITY if s in found)
    places = [code for code, names in words.places.items() if names.any(folded)]
    others = [code for code in places if code != HOME]
    back = next(words.back_refs.find(folded), None)
    common = dict(
        words=len(tokens), situations=situations, topic=TOPIC in found,
        refers_back=back is not None and back.start == 0,
        langs=tuple(lang for lang, _n in langs.most_common()),
        nationality=others[0] if len(others) == 1 else None,
        location=_location(places, others, about_relative="relative" in found),
    )
    if not _without(rest, [(f.start, f.end) for f in fillers]):
        # A greeting opens the message: a greeting word after a question is a time word
        # (Swahili "nifanye nini sasa", what do I do now), and the message a follow-up.
        opens = bool(greetings) and min(f.start for f in greetings) == 0
        kind: Kind = "thanks" if thanks else ("greeting" if opens else "filler")
        return Reading(kind, **common)  # type: ignore[arg-type]
    limit = max(vague_words, greeting_words or 0) if greetings or thanks else vague_words
    if not found and len(tokens) < limit:
        if thanks:  # "thank you so much for the help"
            return Reading("thanks", **common)  # type: ignore[arg-type]
        if words.contact_words.any(rest):
            return Reading("contacts", **common)  # type: ignore[arg-type]
        return Reading("vague", **common)  # type: ignore[arg-type]
    return Reading("question", **common)  # type: ignore[arg-type]


__all__ = ["OTHER", "SITUATIONS", "Reading", "menu_number", "read"]
