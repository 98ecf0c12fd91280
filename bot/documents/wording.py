"""The lines a reply about a photographed paper starts with, in the reader's language.

The words are the editors' (prompts/documents/<lang>.yaml, English as fallback,
read with :class:`bot.advisor.strings.Strings`; passed in as its ``get`` so that
this layer does not import the advisor). The guidance and contacts that follow
come from the guides the kind names (``reading.kind.guides``), cited as usual.

    recognised, dangerous   do not sign yet + what it looks like; the phrases; one page
    recognised, harmless    what it looks like; the phrases; before signing; one page
    cannot tell             too little text -> a sharper photo; else -> the first page
    refused                 what to send instead
"""

from __future__ import annotations

from collections.abc import Callable

from bot.documents.reading import DocumentReading

Text = Callable[[str, str | None], str]  # (key, lang) -> the text in that language

REFUSALS = {
    "unsupported_type": "document_unsupported",
    "too_large": "document_too_large",
    "too_many_pixels": "document_too_large",
}
MAX_PHRASES = 4  # enough to show why; an SMS has little room


def describe(reading: DocumentReading, lang: str | None, text: Text,
             max_phrases: int = MAX_PHRASES) -> list[str]:
    """The reply's first lines (each a paragraph) for ``reading``, in ``lang``; at most
    ``max_phrases`` of the phrases found (fewer where a channel has little room)."""
    if reading.status == "refused":
        return [text(REFUSALS.get(reading.reason or "", "document_unreadable"), lang)]
    if reading.kind is None:
        key = "document_too_little_text" if reading.reason == "too_little_text" else (
            "document_unknown")
        return [text(key, lang)]
    name = reading.kind.name(lang)
    headline = "document_dangerous" if reading.dangerous else "document_recognised"
    lines = [text(headline, lang).format(name=name)]
    phrases = [
        text("document_phrase", lang).format(phrase=phrase, translation=translation)
        for phrase, translation in reading.matched(lang)[:max(1, max_phrases)]
    ]
    lines.append("\n".join([text("document_phrases", lang), *phrases]))
    if reading.others:
        names = "; ".join(k.name(lang) for k in reading.others)
        lines.append(text("document_also", lang).format(names=names))
    if not reading.dangerous:
        lines.append(text("document_before_signing", lang))
    lines.append(text("document_one_page", lang))
    return lines
