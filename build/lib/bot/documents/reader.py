"""Read a photographed paper: bytes in, a :class:`DocumentReading` out.

    take_in (type, size) -> prepare (grey, light, skew, threshold) -> OCR -> identify

The one entry point for every channel (WhatsApp media, a web upload, ``bot
document PATH``). Only the outcome is logged: status, kind, counts and time,
never the image nor a word of its text.
"""

from __future__ import annotations

import logging
import time

from bot.documents.intake import Refusal, take_in
from bot.documents.preprocess import prepare
from bot.documents.reading import DocumentReading
from bot.documents.recognise import identify
from bot.documents.tesseract import Ocr, OcrFailure, Tesseract
from bot.knowledge.document_kinds import DocumentKind

log = logging.getLogger(__name__)


def read_document(
    data: bytes, kinds: list[DocumentKind], ocr: Ocr | None = None
) -> DocumentReading:
    """What the paper in ``data`` appears to be, among the published ``kinds``.

    Raises only :class:`bot.documents.tesseract.OcrUnavailable` (Tesseract is not
    installed: a fault of the deployment); every other outcome is the value.
    """
    started = time.perf_counter()
    page = take_in(data)
    if isinstance(page, Refusal):
        reading = DocumentReading("refused", reason=page.reason)
        _log(reading, started, page.detail)
        return reading
    read = (ocr or Tesseract()).read(prepare(page.image))
    if isinstance(read, OcrFailure):
        reading = DocumentReading("refused", reason="ocr_failed")
        _log(reading, started, read.detail)
        return reading
    published = [k for k in kinds if k.published]
    reading = identify(read.text, published, read.legible_chars)  # the text goes no further
    _log(reading, started, page.content_type)
    return reading


def _log(reading: DocumentReading, started: float, detail: str) -> None:
    log.info(
        "document %s: kind=%s reason=%s matched=%d chars=%d (%s) in %.0f ms",
        reading.status,
        reading.kind.kind if reading.kind else "-",
        reading.reason or "-",
        len(reading.matches),
        reading.text_chars,
        detail,
        (time.perf_counter() - started) * 1000,
    )
