"""Text from a page image, through Debian's ``tesseract`` program (``make ocr`` installs it).

The image goes in on standard input and the text comes back on standard output:
nothing of the photo or of its text is ever written to disk. (``pytesseract`` was
the obvious wrapper, but it saves both the image and the text to temporary files,
which outlive the process if it is killed, so the project calls the program
itself.) Tesseract is run with one thread: it uses OpenMP, and on a small machine
parallel OCR only slows the embedding model and other readers down.

Tesseract is asked for its word table (TSV), not plain text: each word comes with
Tesseract's confidence in it, and the share of confidently read letters tells a
blurred photo (many letters, most of them guesses) from a paper that is simply
none of the known kinds.

Errors: a missing program or language data is a fault of the installation
(:class:`OcrUnavailable`, raised); a page that Tesseract fails on or that takes
longer than the timeout is an outcome (:class:`OcrFailure`, returned).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from PIL import Image

from bot.errors import BotError

LANGUAGES = "rus+eng"
# A word read with at least this confidence (0-100) counts as legible. Measured on the
# test pages: sharp print reads at 93-96 on average, a photo too blurred to read (a
# 2.5-pixel blur on 13-pixel letters) at 45-49, with fewer than a fifth of its letters
# in words at 70 or more.
LEGIBLE_CONFIDENCE = 70.0
TIMEOUT_S = 60.0
# Automatic page segmentation: a photo can hold columns, a stamp, a signature line.
PAGE_SEGMENTATION = "3"


class OcrUnavailable(BotError):
    """Tesseract or its Russian/English data is not installed: run `make ocr`."""


@dataclass(frozen=True)
class PageText:
    """What Tesseract read: the words, line by line, and how many letters were legible."""

    text: str
    legible_chars: int


@dataclass(frozen=True)
class OcrFailure:
    """Tesseract did not produce text for this page; ``detail`` is for logs only."""

    detail: str


class Ocr(Protocol):
    """Reads the text of one prepared page image."""

    def read(self, image: Image.Image) -> PageText | OcrFailure: ...


class Tesseract:
    """The default :class:`Ocr`: the ``tesseract`` program with Russian and English data."""

    def __init__(self, program: str = "tesseract", languages: str = LANGUAGES,
                 timeout: float = TIMEOUT_S) -> None:
        self.program, self.languages, self.timeout = program, languages, timeout

    def check(self) -> None:
        """Raise :class:`OcrUnavailable` unless the program and its languages are installed."""
        path = shutil.which(self.program)
        if path is None:
            raise OcrUnavailable(f"'{self.program}' is not installed: run `make ocr`")
        missing = set(self.languages.split("+")) - _installed_languages(path)
        if missing:
            raise OcrUnavailable(
                f"Tesseract lacks the language data {', '.join(sorted(missing))}: run `make ocr`"
            )

    def read(self, image: Image.Image) -> PageText | OcrFailure:
        self.check()
        png = io.BytesIO()
        image.save(png, format="PNG")
        command = [self.program, "stdin", "stdout", "-l", self.languages,
                   "--psm", PAGE_SEGMENTATION, "tsv"]
        try:
            done = subprocess.run(
                command, input=png.getvalue(), capture_output=True, timeout=self.timeout,
                env=_environment(), check=False,
            )
        except subprocess.TimeoutExpired:
            return OcrFailure(f"no text after {self.timeout:g} s")
        if done.returncode != 0:
            # Standard error is not passed on: it is Tesseract's, but a log is no place
            # to find out whether it ever quotes the page.
            return OcrFailure(f"tesseract exited with {done.returncode}")
        return words_of(done.stdout.decode("utf-8", errors="replace"))


def words_of(tsv: str) -> PageText:
    """The page's words from Tesseract's TSV table, a line of the page per line of text."""
    lines: dict[tuple[str, ...], list[str]] = {}
    legible = 0
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        # level, page, block, paragraph, line, word, left, top, width, height, conf, text
        if len(cells) != 12 or cells[0] != "5" or not cells[11].strip():
            continue
        word = cells[11].strip()
        lines.setdefault(tuple(cells[1:5]), []).append(word)
        try:
            if float(cells[10]) >= LEGIBLE_CONFIDENCE:
                legible += sum(ch.isalnum() for ch in word)
        except ValueError:
            continue
    return PageText("\n".join(" ".join(words) for words in lines.values()), legible)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME",
                                                        "TESSDATA_PREFIX", "TMPDIR")}
    env["OMP_THREAD_LIMIT"] = "1"
    return env


@lru_cache(maxsize=4)
def _installed_languages(path: str) -> frozenset[str]:
    try:
        done = subprocess.run([path, "--list-langs"], capture_output=True, text=True,
                              timeout=30, env=_environment(), check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    # The first line says where the data lives; each further line is one language.
    return frozenset(line.strip() for line in done.stdout.splitlines()[1:] if line.strip())
