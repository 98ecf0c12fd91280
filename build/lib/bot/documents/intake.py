"""Bytes in, one page image out, or a refusal saying why not.

The type is sniffed from the bytes, never taken from a file name or a declared
content type (a channel may pass Twilio's ``MediaContentType0`` on, but the bytes
decide). JPEG, PNG and WebP are photos; a PDF gives its first page. Anything else,
anything over :data:`MAX_BYTES`, and an image over :data:`MAX_PIXELS` (a small file
can declare a huge canvas: a "decompression bomb") is refused before it is decoded.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.documents.pdf import first_page

MAX_BYTES = 5 * 1024 * 1024  # Twilio's own limit for WhatsApp images is 5 MB
MAX_PIXELS = 40_000_000  # a 48-megapixel phone camera saves about 8000 x 6000: refused
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ACCEPTED = (*PHOTO_TYPES.values(), "application/pdf")

RefusalReason = Literal["empty", "too_large", "unsupported_type", "unreadable", "too_many_pixels"]


@dataclass(frozen=True)
class Page:
    """The image to read, and what the bytes turned out to be."""

    image: Image.Image
    content_type: str


@dataclass(frozen=True)
class Refusal:
    """Why the bytes were not read; ``detail`` is for logs and operators, never user text."""

    reason: RefusalReason
    detail: str


def sniff(data: bytes) -> str | None:
    """The content type the bytes themselves announce, among those we accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.lstrip(b"\x00\t\n\r\x0c ")[:5] == b"%PDF-":
        return "application/pdf"
    return None


def take_in(data: bytes, max_bytes: int = MAX_BYTES) -> Page | Refusal:
    """The page to read from ``data``, or why it cannot be read."""
    if not data:
        return Refusal("empty", "no bytes")
    if len(data) > max_bytes:
        return Refusal("too_large", f"{len(data)} bytes, more than {max_bytes}")
    content_type = sniff(data)
    if content_type is None:
        return Refusal("unsupported_type", "not a JPEG, PNG, WebP or PDF")
    if content_type == "application/pdf":
        page = first_page(data, MAX_PIXELS)
        if isinstance(page, str):
            return Refusal("unreadable", page)
        return Page(page, content_type)
    return _photo(data, content_type)


def _photo(data: bytes, content_type: str) -> Page | Refusal:
    try:
        with warnings.catch_warnings():
            # Pillow warns (and tests turn warnings into errors) on large images: we
            # check the size ourselves, before decoding.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            if PHOTO_TYPES.get(image.format or "") != content_type:
                return Refusal("unreadable", f"{content_type} bytes, {image.format} image")
            width, height = image.size
            if width * height > MAX_PIXELS:
                return Refusal("too_many_pixels", f"{width} x {height} pixels")
            image.load()
            # Phones save a photo as the sensor saw it, with the turn in its EXIF tag.
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            EOFError) as exc:
        return Refusal("unreadable", f"{content_type} that cannot be decoded: {type(exc).__name__}")
    return Page(upright, content_type)
