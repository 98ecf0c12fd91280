"""Patterns of the facts that matter in a text: e-mail addresses, phone numbers, URLs, articles.

The final check (``bot.advisor.check``) looks for them in an answer, so that
none is said that no source holds; redaction (``bot.store.redact``) removes
e-mail addresses before a message is stored.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Digits with the separators phone numbers use; a dot only between digits, so
# "in 2024. 603 people" is not read as a number.
PHONE = re.compile(r"(?<![\w/])\+?\(?\d(?:[\d\-() ]|\.(?=\d)){5,}\d(?!\w)")
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
# "Article 24.2", "art. 5", "статья 59", "ст. 5", "المادة 3", "धारा 10".
ARTICLE = re.compile(
    r"\b(?:art(?:icle|ículo|igo)?s?\.?|статья|ст\.|المادة|धारा|अनुच्छेद)\s*\d+(?:[.\-]\d+)*",
    re.IGNORECASE,
)
