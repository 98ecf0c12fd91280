"""Russian text folded to a form in which OCR output and an editor's phrase can be compared.

Both sides go through :func:`fold`, so the knowledge check (is a phrase long enough
to find? is it given twice?) and the recogniser (is the phrase on the page?) agree
on what a phrase is. Folding:

- Latin letters that look like Cyrillic ones become Cyrillic: Tesseract run with
  ``rus+eng`` often reads "КОНТРАКТ" as Latin "KOHTPAKT" (K, O, H, T, P, A are
  shared shapes), and an editor's phrase never holds Latin letters;
- case, ``ё``/``е`` and ``й``/``и`` are folded (OCR drops the diacritics often);
- a word broken by a hyphen at the end of a line is joined again;
- anything that is not a letter or a digit becomes one space;
- each word loses its grammatical ending, so "войсковой части" (in a sentence)
  meets "войсковая часть" (as an editor writes it): Russian puts the case in the
  ending, and a document uses whichever case its sentence needs.
"""

from __future__ import annotations

import re
import unicodedata

# Latin shapes that Tesseract confuses with Cyrillic letters, both cases.
_LOOKALIKES = str.maketrans(
    {
        "A": "а", "B": "в", "C": "с", "E": "е", "H": "н", "K": "к", "M": "м",
        "O": "о", "P": "р", "T": "т", "X": "х", "Y": "у",
        "a": "а", "c": "с", "e": "е", "k": "к", "m": "м", "n": "п", "o": "о",
        "p": "р", "r": "г", "u": "и", "x": "х", "y": "у",
    }
)  # fmt: skip
_FOLD = str.maketrans({"ё": "е", "й": "и"})
_LINE_HYPHEN = re.compile(r"[-\u2010\u2011\u00ad]\s*\n\s*")
_NOT_WORD = re.compile(r"[^\w]+|_+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")

# Noun and adjective endings (after folding й to и), longest first. A stem keeps at
# least four letters, so short words are left as they are.
_ENDINGS = tuple(
    sorted(
        """
        ами ями ого его ому ему ыми ими ах ях ам ям ов ев ои еи ом ем ою ею ую юю
        ая яя ое ее ые ие ых их ым им ии ия ие ью ь а я ы и е у ю о
        """.split(),
        key=len,
        reverse=True,
    )
)
_MIN_STEM = 4


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def has_latin(text: str) -> bool:
    return bool(_LATIN.search(text))


def stem(word: str) -> str:
    """The word without its grammatical ending (a crude, predictable cut)."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


def fold(text: str) -> str:
    """Words of ``text`` folded for comparison, joined by single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _LINE_HYPHEN.sub("", text)
    text = text.translate(_LOOKALIKES).casefold().translate(_FOLD)
    return " ".join(stem(w) for w in _NOT_WORD.split(text) if w)


def letters(text: str) -> int:
    """How many letters and digits ``text`` holds: the size of what was read."""
    return sum(1 for ch in text if ch.isalnum())
