"""The languages the assistant speaks: one list for detection, commands and the web page.

A served language has the assistant's own words (``prompts/strings``), its
commands (``prompts/commands``) and is one of the languages the detector
chooses from. Guides may be written in any ISO 639-1 language
(``bot.knowledge.languages``); these are the ones users are answered in.
"""

from __future__ import annotations

# Code -> the language's own name, in the order the web page lists them.
SERVED_NAMES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "ar": "العربية",
    "sw": "Kiswahili",
    "ne": "नेपाली",
    "hi": "हिन्दी",
    "ru": "Русский",
    "pt": "Português",
    "am": "አማርኛ",
    "es": "Español",
}
SERVED: tuple[str, ...] = tuple(SERVED_NAMES)
RIGHT_TO_LEFT = frozenset({"ar"})


def is_rtl(lang: str) -> bool:
    return lang in RIGHT_TO_LEFT
