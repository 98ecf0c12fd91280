"""Bytes in: the type comes from the bytes, and anything unreadable is a refusal value."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.documents.intake import MAX_BYTES, Page, Refusal, sniff, take_in


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


PAGE = Image.new("RGB", (300, 200), "white")


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"),
     ("PDF", "application/pdf")],
)
def test_accepted_types_are_sniffed_from_the_bytes(fmt: str, content_type: str):
    data = encoded(PAGE, fmt)
    assert sniff(data) == content_type
    page = take_in(data)
    assert isinstance(page, Page) and page.content_type == content_type
    assert page.image.width > 0 and page.image.height > 0


def test_a_pdf_gives_its_first_page():
    first = Image.new("RGB", (400, 600), "white")
    second = Image.new("RGB", (600, 400), "black")
    data = encoded(first, "PDF", save_all=True, append_images=[second], resolution=100)
    page = take_in(data)
    assert isinstance(page, Page) and page.image.height > page.image.width  # the portrait one
    assert page.image.convert("L").getextrema()[0] > 200  # white, not the black second page


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\0" * 100, "unsupported_type"),
        ("Привет, это текст".encode(), "unsupported_type"),
        (encoded(PAGE, "JPEG")[:200], "unreadable"),  # cut off in transit
        (b"%PDF-1.7\nthis is not really a PDF", "unreadable"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "unreadable"),
    ],
)
def test_refusals(data: bytes, reason: str):
    refusal = take_in(data)
    assert isinstance(refusal, Refusal) and refusal.reason == reason


def test_too_large_is_refused_before_decoding():
    data = encoded(PAGE, "PNG") + b"\0" * MAX_BYTES
    refusal = take_in(data)
    assert isinstance(refusal, Refusal) and refusal.reason == "too_large"
    assert isinstance(take_in(data, max_bytes=len(data)), Page)  # the size was the only reason


def test_a_huge_canvas_in_a_small_file_is_refused():
    bomb = encoded(Image.new("1", (9000, 9000), 1), "PNG")  # 81 megapixels in a few kB
    assert len(bomb) < 100_000
    refusal = take_in(bomb)
    assert isinstance(refusal, Refusal) and refusal.reason == "too_many_pixels"


def test_the_phone_turn_in_exif_is_applied():
    sideways = Image.new("RGB", (400, 300), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; show rotated 90 degrees
    page = take_in(encoded(sideways, "JPEG", exif=exif.tobytes()))
    assert isinstance(page, Page) and page.image.size == (300, 400)


def test_a_transparent_png_is_read_on_white():
    from bot.documents.preprocess import prepare

    clear = Image.new("RGBA", (1200, 800), (0, 0, 0, 0))
    page = take_in(encoded(clear, "PNG"))
    assert isinstance(page, Page)
    assert prepare(page.image).getextrema() == (255, 255)  # no ink: transparency is paper
