"""What reading a photographed paper found: a value, never an exception.

Three outcomes, one type, so a channel needs a single ``match`` on ``status``:

- ``recognised``: ``kind`` is the paper's kind; ``matches`` the phrases that gave it
  away, strongest first; ``others`` the further kinds the page also matched (a
  dangerous kind is chosen over a harmless one that matched as well);
- ``cannot_tell``: no kind has enough evidence; ``reason`` is ``too_little_text``
  (too few letters read confidently: blurred, dark, or no text), ``no_known_phrase``
  (read well, but none of the kinds' phrases is on it) or ``unclear`` (some
  phrases, not enough);
- ``refused``: the bytes were not a readable page; ``reason`` is an intake reason
  (``empty``, ``too_large``, ``unsupported_type``, ``unreadable``, ``too_many_pixels``)
  or ``ocr_failed``.

The text of the page is deliberately not part of the value: it cannot leak into a
log, a database row or an answer through it. ``text_chars`` says how much was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot.knowledge.document_kinds import DocumentKind, KeyPhrase

Status = Literal["recognised", "cannot_tell", "refused"]


@dataclass(frozen=True)
class PhraseMatch:
    phrase: KeyPhrase
    similarity: float  # 0..1, how closely the page's text matched the phrase

    @property
    def evidence(self) -> float:
        # The full weight: the similarity already passed a floor set for OCR errors, and
        # scaling by it would stop a decisive phrase with one misread letter deciding.
        return self.phrase.weight


@dataclass(frozen=True)
class DocumentReading:
    status: Status
    kind: DocumentKind | None = None
    confidence: float = 0.0  # 0..1: the evidence for the kind, not a probability
    matches: tuple[PhraseMatch, ...] = ()
    others: tuple[DocumentKind, ...] = ()  # other kinds that also reached the threshold
    text_chars: int = 0
    reason: str | None = None

    @property
    def dangerous(self) -> bool:
        return self.kind is not None and self.kind.dangerous

    @property
    def placeholder(self) -> str:
        """What a conversation store may keep instead of the photo and its text."""
        if self.kind is not None:
            return f"[photo: {self.kind.kind}]"
        return f"[photo: {self.status}]"

    def matched(self, lang: str | None) -> list[tuple[str, str]]:
        """(Russian phrase, its translation into ``lang``), strongest evidence first."""
        return [(m.phrase.text, m.phrase.translation(lang)) for m in self.matches]

    def as_json(self, lang: str | None) -> dict[str, Any]:
        """The ``document`` object of the answer JSON (DESIGN.md, additions round 2)."""
        return {
            "status": self.status,
            "kind": self.kind.kind if self.kind else None,
            "dangerous": self.dangerous,
            "confidence": self.confidence,
            "matched": [{"phrase": p, "translation": t} for p, t in self.matched(lang)],
            "text_chars": self.text_chars,
            "reason": self.reason,
            "guides": list(self.kind.guides) if self.kind else [],
            "others": [k.kind for k in self.others],
        }
