"""A phone photo of a page made into the clean black-on-white image Tesseract reads best.

In order:

1. grey levels, at a size Tesseract reads well and quickly;
2. a slight blur against sensor noise (a median filter keeps edges better, but it
   took a third of a second on a phone photo and read no more words in the tests);
3. the light evened out: each pixel divided by the brightness of the paper around
   it, so a shadow across the page or a lamp in one corner no longer decides what
   is ink;
4. one black-and-white threshold (Otsu's) for the whole, now evenly lit, page;
5. the dark surroundings of the sheet (a desk, a hand, the shadow around its edge)
   made white: Tesseract reads a wide black frame as a picture and then finds no
   text at all;
6. the page turned so that its lines are level.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

# Long side of the image Tesseract gets. A phone photo of an A4 page at this size
# gives capital letters of about 20-30 pixels for ordinary print: enough for Tesseract,
# and about a third of the time of a 12-megapixel original.
MAX_LONG_SIDE = 2200
MIN_LONG_SIDE = 1000  # smaller images (a cropped screenshot) are enlarged first
MAX_SKEW = 15.0  # degrees either way; a photo turned further is rare (EXIF handles 90)
_SKEW_SAMPLE = 40_000  # dark pixels used to measure the skew


def prepare(image: Image.Image) -> Image.Image:
    """The page as a black-and-white ("L" mode, 0 or 255) image, upright."""
    gray = _fit(_grayscale(image))
    gray = gray.filter(ImageFilter.GaussianBlur(0.8))
    page = clear_border(binarise(flatten_light(gray)))
    angle = skew_angle(page)
    if abs(angle) < 0.2:
        return page
    turned = page.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return turned.point(lambda v: 255 if v > 127 else 0)


def _grayscale(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)  # transparent parts are paper, not ink
    return image.convert("L")


def _fit(gray: Image.Image) -> Image.Image:
    long_side = max(gray.size)
    if MIN_LONG_SIDE <= long_side <= MAX_LONG_SIDE:
        return gray
    target = MAX_LONG_SIDE if long_side > MAX_LONG_SIDE else MIN_LONG_SIDE
    scale = target / long_side
    size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
    return gray.resize(size, Image.Resampling.LANCZOS)


def flatten_light(gray: Image.Image) -> Image.Image:
    """Each pixel relative to the paper around it: uneven light becomes even white."""
    # The paper's brightness: the brightest pixels in a window wider than any letter,
    # found on a small copy (fast), smoothed, and scaled back up.
    small = gray.resize((max(1, gray.width // 8), max(1, gray.height // 8)),
                        Image.Resampling.BOX)
    paper = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(3))
    paper = paper.resize(gray.size, Image.Resampling.BILINEAR)
    pixels = np.asarray(gray, dtype=np.float32)
    light = np.maximum(np.asarray(paper, dtype=np.float32), 1.0)
    return Image.fromarray(np.clip(pixels / light * 255.0, 0, 255).astype(np.uint8))


def otsu_threshold(pixels: np.ndarray) -> int:
    """The grey level that best splits the pixels into two classes (Otsu, 1979)."""
    hist = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight_dark = np.cumsum(hist)
    weight_light = weight_dark[-1] - weight_dark
    sum_dark = np.cumsum(hist * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_dark = sum_dark / weight_dark
        mean_light = (sum_dark[-1] - sum_dark) / weight_light
        between = weight_dark * weight_light * (mean_dark - mean_light) ** 2
    if not np.isfinite(between).any():
        return 127  # one grey level only (a blank page): any threshold will do
    return int(np.nanargmax(between))


def binarise(gray: Image.Image) -> Image.Image:
    pixels = np.asarray(gray)
    # After flattening, paper is near white; a page with little ink can put Otsu's
    # threshold inside the paper's own grain, so it is kept below light grey.
    threshold = min(otsu_threshold(pixels), 200)
    return Image.fromarray(np.where(pixels > threshold, 255, 0).astype(np.uint8))


def clear_border(page: Image.Image) -> Image.Image:
    """``page`` (black and white) without the dark surroundings of the sheet.

    Two shapes of ink are not print: ink that touches the border of the photo (the
    desk), and one piece of ink larger than half the photo either way (the shadow
    ring that evening the light leaves just around the sheet, a frame, a table's
    grid). Letters, words and lines are far smaller.
    """
    ink = np.asarray(page) == 0
    labels, count = ndimage.label(ink)
    if count == 0:
        return page
    edge = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    frame = set(np.unique(edge[edge > 0]).tolist())
    height, width = ink.shape
    for n, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is not None and (box[0].stop - box[0].start > height / 2
                                or box[1].stop - box[1].start > width / 2):
            frame.add(n)
    if not frame:
        return page
    cleared = np.where(np.isin(labels, list(frame)), 255, np.asarray(page))
    return Image.fromarray(cleared.astype(np.uint8))


def skew_angle(gray: Image.Image) -> float:
    """How many degrees the page's lines are turned (counter-clockwise, as ``Image.rotate``).

    Lines of text are level when the ink, projected onto the vertical axis, piles up
    in the fewest rows: the sum of squared row counts is then largest.
    """
    scale = min(1.0, 1000 / max(gray.size))
    small = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))),
                        Image.Resampling.BOX) if scale < 1 else gray
    pixels = np.asarray(small)
    ys, xs = np.nonzero(pixels < min(otsu_threshold(pixels), 200))
    if len(ys) < 200:
        return 0.0  # too little ink to measure
    if len(ys) > _SKEW_SAMPLE:
        # A fresh generator with a fixed seed: the same photo always reads the same,
        # whatever was read before it and in whichever thread.
        pick = np.random.default_rng(0).choice(len(ys), _SKEW_SAMPLE, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys, xs = ys.astype(np.float64), xs.astype(np.float64)

    def spread(degrees: float) -> float:
        a = np.deg2rad(degrees)
        rows = np.round(ys * np.cos(a) + xs * np.sin(a)).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        return float(np.dot(counts, counts))

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=spread)
    fine = max(np.arange(coarse - 0.5, coarse + 0.51, 0.1), key=spread)
    return round(float(fine), 1)
