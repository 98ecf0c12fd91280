"""The starter document kinds, loaded once, and a guard that Tesseract is installed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.documents.tesseract import Tesseract
from bot.knowledge.document_kinds import DocumentKind
from bot.knowledge.documents import load_document_kinds
from bot.knowledge.loader import load_knowledge
from bot.text.languages import SERVED as SUPPORTED

STARTER = Path(__file__).resolve().parents[2] / "knowledge"
WRITTEN = date(2026, 12, 7)


@pytest.fixture(scope="session")
def kinds() -> list[DocumentKind]:
    knowledge = load_knowledge(STARTER, today=WRITTEN)
    found = load_document_kinds(STARTER, {d.id for d in knowledge.published}, SUPPORTED, WRITTEN)
    assert not found.errors, found.errors
    return found.published


@pytest.fixture(scope="session")
def tesseract() -> Tesseract:
    """The real OCR program; `make test` installs it (make ocr), so its absence is a failure."""
    ocr = Tesseract()
    ocr.check()
    return ocr
