"""Which language a message is in, offline (py3langid), among the languages we serve.

py3langid gets most short messages right, with two known weak spots that we
settle here: Hindi and Nepali share the Devanagari script and are confused, so
the user's saved choice decides between them (unless the message is long and
clearly one of them); and a message too short to judge
keeps the user's saved language. A message mostly in a script none of the served
languages uses (Tamil, Bengali, Sinhala, Chinese, ...) is not forced onto the closest
served language (Tamil read as Swahili): it gets the saved or default language.

The same holds for the many languages written in Latin letters that we do not
serve: restricted to the served languages, the model forces Uzbek, Turkmen or
transliterated Tajik and Kyrgyz onto Swahili or Portuguese. So the text is first
weighed against every language the model knows. When it is most likely one
spoken in Central Asia or by Russia's Turkic peoples, whose speakers in Russia
read Russian, the reply is in the saved language, else Russian (``READ_INSTEAD``);
when it is surely another language we do not serve (Turkish, Yoruba, Hindi in
Latin letters), the saved or default language; a dialect of a served language
(Nigerian Pidgin, Egyptian Arabic, Galician) counts as that language
(``CLOSE``). Never a wrong-language guess.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from bot.text.languages import SERVED

# Below this confidence a message keeps the saved (or default) language.
MIN_CONFIDENCE = 0.5
# A message this long, detected this surely, is in its own language even when the saved
# one is its sibling (a Nepali question after a greeting answered in Hindi).
CLEAR_WORDS = 6
CLEAR_CONFIDENCE = 0.9
_SIBLINGS = {"hi": "ne", "ne": "hi"}
# Unserved languages whose writers (Central Asia, Russia's Turkic republics) read Russian.
READ_INSTEAD = dict.fromkeys(("uz", "uzs", "ky", "kk", "tg", "tk", "az", "tt", "ba", "crh"),
                             "ru")
# Their share of the model's belief above which the text is taken as one of them
# (transliterated Tajik spreads over Uzbek and others: 0.27 for a full sentence).
GROUP_SHARE = 0.25
# Dialects and near relatives the model tells apart from a served language.
CLOSE = {"pcm": "en", "arz": "ar", "ary": "ar", "gl": "pt", "an": "es", "ext": "es",
         "oc": "fr", "wa": "fr", "gcf": "fr", "gcr": "fr"}

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(SERVED))
    return identifier


@lru_cache(maxsize=1)
def _every_language() -> Any:
    """The same model over every language it knows, to tell an unserved one."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _unserved(text: str) -> tuple[bool, str | None]:
    """(whether the text is in a language we do not serve, the served language its
    writer most likely reads, when known)."""
    with _lock:
        ranked = _every_language().rank(text)
    top, confidence = ranked[0]
    top = CLOSE.get(str(top), str(top))
    if top in SERVED:
        return False, None
    share = sum(p for lang, p in ranked if lang in READ_INSTEAD)
    if top in READ_INSTEAD and share >= GROUP_SHARE:
        return True, READ_INSTEAD[top]
    return confidence >= MIN_CONFIDENCE, None


def _script(text: str) -> str | None:
    """The one language we serve in a script only it uses here, if the text is in it."""
    counts = {"ar": 0, "am": 0, "ru": 0}
    letters = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        code = ord(ch)
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F:
            counts["ar"] += 1
        elif 0x1200 <= code <= 0x139F:
            counts["am"] += 1
        elif 0x0400 <= code <= 0x04FF:
            counts["ru"] += 1
    if not letters:
        return None
    lang, n = max(counts.items(), key=lambda item: item[1])
    return lang if n / letters > 0.5 else None


def _served_script(code: int) -> bool:
    """Whether a letter is in a script one of the served languages is written in."""
    return (code < 0x0250 or 0x1E00 <= code <= 0x1EFF  # Latin
            or 0x0400 <= code <= 0x04FF  # Cyrillic
            or 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F  # Arabic
            or 0x0900 <= code <= 0x097F  # Devanagari
            or 0x1200 <= code <= 0x139F)  # Ethiopic


def _unserved_script(text: str) -> bool:
    letters = [ord(ch) for ch in text if ch.isalpha()]
    foreign = sum(1 for code in letters if not _served_script(code))
    return bool(letters) and foreign / len(letters) > 0.5


def detect_language(text: str, saved: str | None = None, default: str = "en") -> str:
    """The language to answer in: detected, settled by the user's saved choice."""
    fallback = saved if saved in SERVED else default
    if not text.strip():
        return fallback
    by_script = _script(text)
    if by_script:
        return by_script
    if _unserved_script(text):
        return fallback
    unserved, reads = _unserved(text)
    if unserved:
        return saved if saved in SERVED else reads or default
    with _lock:
        lang, confidence = _identifier().classify(text)
    lang = str(lang)
    clear = len(text.split()) >= CLEAR_WORDS and confidence >= CLEAR_CONFIDENCE
    if saved and _SIBLINGS.get(lang) == saved and not clear:
        return saved
    return lang if confidence >= MIN_CONFIDENCE else fallback


def guess_language(text: str) -> str | None:
    """The text's language for a reply outside an answer (an apology, a refusal); None
    when it cannot be told. Never raises."""
    try:
        return detect_language(text) if text.strip() else None
    except Exception:  # noqa: BLE001 - a guess only
        return None


def warm_up() -> None:
    """Load the language model now rather than on the first message."""
    _identifier()
    _every_language()
