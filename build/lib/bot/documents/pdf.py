"""The first page of a PDF as an image (pypdfium2: PDFium, the PDF engine of Chromium).

Only the first page is read: a scanned contract sent as a PDF usually starts with
its title, which is what names the kind of paper. The page is rendered at about
200 dots per inch, capped so that an absurd page size cannot make a huge bitmap.
"""

from __future__ import annotations

import threading

from PIL import Image

RENDER_DPI = 200
_POINTS_PER_INCH = 72
# PDFium is not thread-safe; the web app may read two uploads at once.
_lock = threading.Lock()


def first_page(data: bytes, max_pixels: int) -> Image.Image | str:
    """The rendered first page, or why it could not be rendered (for logs only)."""
    import pypdfium2 as pdfium  # imported here: only PDFs need it

    with _lock:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            return f"PDF that cannot be opened: {exc}"  # damaged, or locked with a password
        try:
            if len(pdf) == 0:
                return "PDF without pages"
            page = pdf[0]
            width, height = page.get_size()  # in points
            scale = RENDER_DPI / _POINTS_PER_INCH
            pixels = width * height * scale * scale
            if pixels > max_pixels:
                scale *= (max_pixels / pixels) ** 0.5
            if width * scale < 1 or height * scale < 1:
                return "PDF page without area"
            image = page.render(scale=scale).to_pil()
            page.close()
            return image
        except pdfium.PdfiumError as exc:
            return f"PDF page that cannot be rendered: {exc}"
        finally:
            pdf.close()
