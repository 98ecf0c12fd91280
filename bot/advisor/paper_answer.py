"""The answer about a photographed paper: the answer contract plus what was read (DESIGN.md).

    DocumentAnswer = Answer + triage + document: {kind, confidence, matched, text_chars, ...}

``document`` carries no word of the page beyond the editors' own phrases that were
found on it (``matched``), so the object can be logged, stored or shown anywhere.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.advisor.models import Answer
from bot.documents.reading import DocumentReading

TriageLevel = Literal["urgent", "sensitive", "routine"]
LEVELS: tuple[TriageLevel, ...] = ("urgent", "sensitive", "routine")


class MatchedPhrase(BaseModel):
    phrase: str = Field(description="the editors' Russian phrase found on the page")
    translation: str = Field(description="what it means, in the answer's language")


class DocumentOut(BaseModel):
    status: Literal["recognised", "cannot_tell", "refused"]
    kind: str | None = Field(default=None, description="e.g. military_contract; null: not told")
    name: str | None = Field(default=None, description="the kind, in the answer's language")
    dangerous: bool = False
    confidence: float = Field(default=0.0, description="0..1, the evidence for the kind")
    matched: list[MatchedPhrase] = Field(default_factory=list)
    text_chars: int = Field(default=0, description="letters read on the page")
    reason: str | None = Field(
        default=None,
        description="why no kind: too_little_text, no_known_phrase, unclear; or why the file "
        "was not read: empty, too_large, too_many_pixels, unsupported_type, unreadable, "
        "ocr_failed",
    )
    guides: list[str] = Field(default_factory=list, description="the kind's guides, cited")
    others: list[str] = Field(default_factory=list, description="other kinds also found")

    @classmethod
    def of(cls, reading: DocumentReading, lang: str) -> DocumentOut:
        return cls(**reading.as_json(lang),
                   name=reading.kind.name(lang) if reading.kind is not None else None)


class DocumentAnswer(Answer):
    """What the assistant says about a photographed paper.

    ``urgent`` equals ``triage == "urgent"``; the stored placeholder of the photo
    (``"[photo: military_contract]"``) is ``placeholder``, never the image or its text.
    """

    triage: TriageLevel = "routine"
    reason: str | None = Field(
        default=None,
        description="why there is no answer: document_refused (the file was not read), "
        "document_cannot_tell (no kind could be told), no_relevant_guidance or check_failed",
    )
    document: DocumentOut
    placeholder: str = Field(default="[photo]", exclude=True)
