"""Photographed papers read through the real Tesseract (run with /work/bin/heavy locally).

Each page is rendered small (about 1100 pixels wide) so one reading takes well
under a second; the phone variants turn, blur, add noise and shade the page.
"""

from __future__ import annotations

import io
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pages import CLEAN, NOTICE, PAGES, PHONE, Photo, photograph, render
from PIL import Image

from bot.documents.reader import read_document
from bot.documents.tesseract import OcrUnavailable, Tesseract
from bot.knowledge.document_kinds import DocumentKind


@pytest.mark.parametrize("photo", [CLEAN, PHONE], ids=["clean", "phone"])
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_each_paper_is_recognised(kinds: list[DocumentKind], tesseract: Tesseract,
                                  kind: str, photo: Photo):
    reading = read_document(photograph(render(PAGES[kind]), photo), kinds, tesseract)
    assert reading.status == "recognised", reading
    assert reading.kind is not None and reading.kind.kind == kind
    assert reading.confidence >= 0.5 and reading.text_chars > 200
    assert reading.dangerous == (kind in {"military_contract", "call_up_papers",
                                          "citizenship_application"})


@pytest.mark.parametrize(
    "photo",
    [
        Photo(angle=-9.0, desk=30),
        Photo(angle=6.0, blur=1.6),
        Photo(noise=28.0),
        Photo(shade=0.65, desk=60),
        Photo(angle=3.0, blur=1.2, noise=18.0, shade=0.5, desk=40, quality=45),
    ],
    ids=["turned", "blurred", "noisy", "lit-from-one-side", "all-at-once"],
)
def test_a_badly_taken_army_contract_is_still_recognised(kinds: list[DocumentKind],
                                                         tesseract: Tesseract, photo: Photo):
    reading = read_document(photograph(render(PAGES["military_contract"]), photo), kinds,
                            tesseract)
    assert reading.kind is not None and reading.kind.kind == "military_contract", reading
    assert reading.dangerous


def test_a_page_with_no_known_phrase_cannot_be_told(kinds: list[DocumentKind],
                                                    tesseract: Tesseract):
    reading = read_document(photograph(render(NOTICE), PHONE), kinds, tesseract)
    assert (reading.status, reading.reason, reading.kind) == ("cannot_tell", "no_known_phrase",
                                                              None)
    assert reading.text_chars > 150  # it was read; it is just none of the kinds


def test_a_photo_without_text_is_too_little_text(kinds: list[DocumentKind],
                                                 tesseract: Tesseract):
    blank = photograph(Image.new("L", (1100, 800), 235), Photo(noise=10.0, shade=0.3))
    reading = read_document(blank, kinds, tesseract)
    assert (reading.status, reading.reason) == ("cannot_tell", "too_little_text")


@pytest.mark.parametrize("kind", ["military_contract", "lease"])
def test_a_photo_too_blurred_to_read_asks_for_a_sharper_one(kinds: list[DocumentKind],
                                                            tesseract: Tesseract, kind: str):
    blurred = photograph(render(PAGES[kind]), Photo(blur=3.5))
    reading = read_document(blurred, kinds, tesseract)
    assert (reading.status, reading.reason) == ("cannot_tell", "too_little_text"), reading
    assert reading.text_chars > 100  # Tesseract guessed at many letters: none is trusted


def test_the_first_page_of_a_pdf_is_read(kinds: list[DocumentKind], tesseract: Tesseract):
    pdf = io.BytesIO()
    first, second = render(PAGES["call_up_papers"]), render(PAGES["lease"])
    first.save(pdf, format="PDF", save_all=True, append_images=[second], resolution=150)
    reading = read_document(pdf.getvalue(), kinds, tesseract)
    assert reading.kind is not None and reading.kind.kind == "call_up_papers"


def test_a_refusal_needs_no_ocr(kinds: list[DocumentKind]):
    missing = Tesseract(program="no-such-tesseract")
    reading = read_document(b"GIF89a....", kinds, missing)  # refused before OCR is needed
    assert (reading.status, reading.reason) == ("refused", "unsupported_type")
    with pytest.raises(OcrUnavailable, match="make ocr"):
        read_document(photograph(render(NOTICE), CLEAN), kinds, missing)


def test_a_missing_language_is_reported(kinds: list[DocumentKind]):
    with pytest.raises(OcrUnavailable, match="xyz"):
        Tesseract(languages="rus+xyz").check()


def test_a_page_tesseract_cannot_finish_is_a_refusal(kinds: list[DocumentKind]):
    slow = Tesseract(timeout=0.01)
    reading = read_document(photograph(render(PAGES["lease"]), CLEAN), kinds, slow)
    assert (reading.status, reading.reason) == ("refused", "ocr_failed")


NAME = st.text(alphabet="абвгдежзиклмнопрстуфхцчшэюя", min_size=6, max_size=10)


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(surname=NAME, street=NAME)
def test_no_log_record_holds_the_text_of_the_page(
    kinds: list[DocumentKind], tesseract: Tesseract, caplog: pytest.LogCaptureFixture,
    surname: str, street: str,
):
    surname, street = surname.capitalize(), street.capitalize()
    text = PAGES["military_contract"].replace("Менса Кофи", f"{surname} Кофи").replace(
        "12345", f"12345, улица {street}")
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        reading = read_document(photograph(render(text), PHONE), kinds, tesseract)
    assert reading.kind is not None and reading.kind.kind == "military_contract"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "document recognised: kind=military_contract" in logged  # it did log, only this
    words = {w for w in text.split() if len(w) >= 5} | {surname, street}
    assert not [w for w in words if w in logged]
    assert surname not in repr(reading) and street not in repr(reading)
