"""Conversation commands: HELP/MENU, CONTACTS, LANG xx, MORE, AGENT, DELETE, STOP/START.

A message that is exactly a keyword (any case, with or without accents or
diacritics, surrounding punctuation ignored) is a command. Keywords and replies
live in ``prompts/commands/<lang>.yaml``, editable without code; every
language's keywords are recognised whatever the sender's language, and a
missing reply falls back to English. Parsing is an outcome, not an exception:
``parse`` returns a ``Command`` or None (an ordinary question).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.advisor.strings import DEFAULT_LANG, Strings
from bot.text.languages import SERVED

Kind = Literal["help", "contacts", "lang", "more", "agent", "delete", "stop", "start"]
KINDS: tuple[Kind, ...] = ("help", "contacts", "lang", "more", "agent", "delete", "stop", "start")


@dataclass(frozen=True)
class Command:
    kind: Kind
    lang: str  # the language of the keyword used
    arg: str | None = None  # LANG's language code, when valid
    # Every language that has this keyword (Spanish and Portuguese share CONTACTOS,
    # AGENTE, IDIOMA, PARAR): the reply's language is then the user's, not the table's.
    langs: tuple[str, ...] = field(default=(), compare=False)
    asked: str | None = field(default=None, compare=False)  # LANG's code as written


# Twilio's default SMS opt-out words besides STOP, STOPALL and UNSUBSCRIBE: after one of
# them Twilio delivers nothing more to that number, so on SMS the service stops too. On
# WhatsApp no carrier acts on them and they are ordinary words ("cancel" from a soldier
# who had asked how to cancel his contract): not commands there.
SMS_ONLY_STOP = ("cancel", "end", "quit")


def normalize(text: str) -> str:
    """Casefolded, without accents or diacritics, punctuation and extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(
        ch for ch in decomposed
        if unicodedata.category(ch) not in ("Mn", "Me") and ch not in "\u200c\u200d"
    )
    cleaned = "".join(ch if (ch.isalnum() or ch.isspace()) else " " for ch in kept)
    return " ".join(cleaned.split())


class Commands:
    """The keyword table and the replies, from one directory of YAML files."""

    def __init__(self, directory: Path) -> None:
        self.strings = Strings(directory)
        self._keywords: dict[str, tuple[Kind, str]] = {}
        self._langs: dict[str, list[str]] = {}
        # English last, so it wins a keyword two languages share ("menu").
        langs = [lang for lang in self.strings.languages if lang != DEFAULT_LANG]
        for lang in [*langs, DEFAULT_LANG]:
            for kind in KINDS:
                raw = self.strings.get(f"kw_{kind}", lang) if lang == DEFAULT_LANG else \
                    self._own(f"kw_{kind}", lang)
                self._add(raw, kind, lang)
        self._sms_only = set(SMS_ONLY_STOP) - set(self._keywords)
        self._add(",".join(self._sms_only), "stop", DEFAULT_LANG)

    def _add(self, raw: str, kind: Kind, lang: str) -> None:
        for word in raw.split(","):
            key = normalize(word)
            if key:
                self._keywords[key] = (kind, lang)
                self._langs.setdefault(key, []).append(lang)

    def _own(self, key: str, lang: str) -> str:
        """A language's own value, without the English fallback."""
        value = self.strings.get(key, lang)
        return "" if value == self.strings.get(key, DEFAULT_LANG) else value

    def parse(self, text: str, channel: str | None = None) -> Command | None:
        """The command ``text`` is, on ``channel`` (None: any channel but SMS's own words)."""
        words = normalize(text).split()
        if not words or len(words) > 3:
            return None
        whole = " ".join(words)
        if whole in self._sms_only and channel != "sms":
            return None
        if whole in self._keywords:
            kind, lang = self._keywords[whole]
            return Command(kind, lang, langs=tuple(dict.fromkeys(self._langs[whole])))
        # LANG xx (the keyword, then a code)
        head, tail = " ".join(words[:-1]), words[-1]
        found = self._keywords.get(head)
        if found and found[0] == "lang":
            return Command("lang", found[1], tail if tail in SERVED else None,
                           langs=tuple(dict.fromkeys(self._langs[head])), asked=tail)
        return None

    def reply(self, key: str, lang: str | None, **values: object) -> str:
        text = self.strings.get(key, lang or DEFAULT_LANG)
        return text.format(**values) if values else text

    def language_name(self, lang: str) -> str:
        return self.strings.get("language_name", lang) or lang


def load_commands(prompts: Path) -> Commands:
    return Commands(prompts / "commands")
