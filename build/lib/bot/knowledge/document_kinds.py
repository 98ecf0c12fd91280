"""The kinds of paper the assistant can recognise in a photo, as editors describe them.

One file per kind under ``knowledge/documents/`` (see knowledge/README.md), read by
:mod:`bot.knowledge.documents`. A kind is recognised when the weights of its phrases
found on the page add up to :data:`RECOGNISED_AT`: a phrase of weight 1 decides
alone, weaker ones must be found together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.knowledge.models import Problem

RECOGNISED_AT = 1.0
# A phrase shorter than this (folded, spaces included) matches too much by accident once
# OCR errors are forgiven: "доверенность" (power of attorney) is two letters from
# "уверенность" (confidence).
MIN_PHRASE_CHARS = 6


def _in(texts: Mapping[str, str], lang: str | None) -> str:
    return texts.get(lang or "en") or texts["en"]


@dataclass(frozen=True)
class KeyPhrase:
    """A Russian phrase that gives a kind away, with what it means in other languages."""

    text: str  # as printed on the paper, in Cyrillic
    folded: str  # as compared with the page (bot.knowledge.russian_text.fold)
    weight: float  # 0 < weight <= 1; 1 decides alone
    translations: Mapping[str, str] = field(hash=False)  # lang -> text; always has "en"
    line: int = 0

    def translation(self, lang: str | None) -> str:
        """The phrase in ``lang`` (English when that language lacks it; itself in Russian)."""
        if lang == "ru" and "ru" not in self.translations:
            return self.text
        return _in(self.translations, lang)


@dataclass(frozen=True)
class DocumentKind:
    kind: str  # e.g. military_contract
    dangerous: bool  # the answer starts with "do not sign"
    names: Mapping[str, str] = field(hash=False)  # lang -> what the paper appears to be
    phrases: tuple[KeyPhrase, ...]
    guides: tuple[str, ...]  # guide ids to cite, most relevant first
    status: Literal["published", "draft"]
    path: str

    def name(self, lang: str | None) -> str:
        return _in(self.names, lang)

    @property
    def published(self) -> bool:
        return self.status == "published"


@dataclass
class DocumentKinds:
    """Every kind read from ``documents/``, with the problems found on the way."""

    kinds: dict[str, DocumentKind] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def published(self) -> list[DocumentKind]:
        return [k for k in self.kinds.values() if k.published]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
