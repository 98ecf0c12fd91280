"""Which language a message is in, offline (py3langid), among the languages we serve."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

SUPPORTED = ("en", "fr", "ar", "sw", "ne", "hi", "ru", "pt", "am")
# Short messages are hard: below this confidence we keep the caller's default.
MIN_CONFIDENCE = 0.5

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(SUPPORTED))
    return identifier


def detect_language(text: str, default: str = "en") -> str:
    if not text.strip():
        return default
    with _lock:
        lang, confidence = _identifier().classify(text)
    return str(lang) if confidence >= MIN_CONFIDENCE else default
