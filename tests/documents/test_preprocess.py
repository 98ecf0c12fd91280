"""Phone-photo clean-up, measured on rendered pages (no OCR here)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from pages import PAGES, Photo, photograph, render
from PIL import Image
from scipy import ndimage

from bot.documents.preprocess import (
    MAX_LONG_SIDE,
    binarise,
    clear_border,
    flatten_light,
    otsu_threshold,
    prepare,
    skew_angle,
)

PAGE = render(PAGES["lease"])


@pytest.mark.parametrize("angle", [-9.0, -3.5, 0.0, 2.0, 7.5])
def test_the_skew_is_measured_within_half_a_degree(angle: float):
    turned = PAGE.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    assert abs(skew_angle(turned) - angle) <= 0.5


def test_a_blank_page_has_no_skew_and_no_ink():
    blank = Image.new("L", (1200, 900), 255)
    assert skew_angle(blank) == 0.0
    assert prepare(blank).getextrema() == (255, 255)
    assert otsu_threshold(np.asarray(blank)) == 127


def test_uneven_light_becomes_even_paper():
    shaded = Image.open(io.BytesIO(photograph(PAGE, Photo(shade=0.6))))
    gray = np.asarray(shaded.convert("L"))
    h, w = gray.shape
    corner = slice(10, 60)  # paper only: the text starts further in
    near, far = gray[corner, corner].mean(), gray[h - 60 : h - 10, w - 60 : w - 10].mean()
    assert far < near - 100  # the photo: one corner far darker than the other
    flat = np.asarray(flatten_light(shaded.convert("L")))
    near, far = flat[corner, corner].mean(), flat[h - 60 : h - 10, w - 60 : w - 10].mean()
    assert abs(near - far) < 15 and min(near, far) > 230


def test_a_single_threshold_would_lose_the_dark_corner_but_flattening_keeps_it():
    shaded = Image.open(io.BytesIO(photograph(PAGE, Photo(shade=0.7)))).convert("L")
    h, w = shaded.height, shaded.width
    far = (w * 2 // 3, h * 2 // 3, w, h)  # the darkest third: paper and print
    naive = np.asarray(binarise(shaded).crop(far))
    flattened = np.asarray(binarise(flatten_light(shaded)).crop(far))
    assert (naive == 0).mean() > 0.5  # paper taken for ink
    assert (flattened == 0).mean() < 0.2  # print on white, as on the clean page


@pytest.mark.parametrize("desk", [40, 150])
def test_the_desk_and_the_shadow_around_the_page_are_cleared(desk: int):
    photo = Image.open(io.BytesIO(photograph(PAGE, Photo(desk=desk, shade=0.3))))
    cleared = np.asarray(clear_border(binarise(flatten_light(photo.convert("L")))))
    ink = cleared == 0
    labels, _ = ndimage.label(ink)
    largest = max(max(b[0].stop - b[0].start, b[1].stop - b[1].start)
                  for b in ndimage.find_objects(labels) if b is not None)
    assert largest < 80  # letters and short words; no frame, no ring around the sheet
    assert ink.sum() > 5000  # the print is still there


def test_a_large_photo_is_made_smaller_and_straight():
    big = photograph(render(PAGES["lease"], font_size=60, width=2600), Photo(angle=5.0))
    image = Image.open(io.BytesIO(big))
    assert max(image.size) > MAX_LONG_SIDE
    ready = prepare(image)
    assert max(ready.size) <= MAX_LONG_SIDE * 1.1 and set(ready.getdata()) <= {0, 255}
    assert abs(skew_angle(ready)) <= 0.5


def test_the_skew_of_a_page_full_of_ink_is_measured_on_a_sample():
    dense = render("\n".join([PAGES["military_contract"]] * 3), font_size=40, width=2400)
    dense = dense.rotate(2.0, expand=True, fillcolor=255)
    assert (np.asarray(dense) < 128).sum() > 40_000  # more ink than is sampled
    assert abs(skew_angle(dense) - 2.0) <= 0.5
