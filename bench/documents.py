"""Time to read a photographed paper: a phone-sized photo of an army contract, end to end.

    .venv/bin/python -m bench.documents [--runs N]

One reading is: sniff and decode the JPEG, clean the photo up, run Tesseract
(rus+eng, one thread), find the kind. The photo is an A4 page rendered at 300 dpi
and spoiled like a phone photo (turned, blurred, noisy, shaded, on a desk):
about 2700 x 3700 pixels. For `make bench`: ``answer_latency(runtime)``, the whole
answer (reading, guidance, citations, contacts, one render for WhatsApp) beside the
text questions' latency; ``photo_latency()`` times the reading alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from bench.timing import Latency, summarize
from bot.advisor.models import Question
from bot.advisor.runtime import Runtime
from bot.channels.render import profile, render_answer
from bot.documents.reader import read_document
from bot.documents.tesseract import Tesseract
from bot.knowledge.documents import load_document_kinds
from bot.knowledge.loader import load_knowledge
from bot.text.languages import SERVED as SUPPORTED
from tests.documents.pages import phone_sized_photo

ROOT = Path(__file__).resolve().parent.parent


def photo_latency(knowledge: Path = ROOT / "knowledge", runs: int = 5) -> Latency:
    """p50/p95 of reading one phone-sized photo, after one untimed warm-up reading."""
    loaded = load_knowledge(knowledge, today=date.today())
    kinds = load_document_kinds(knowledge, {d.id for d in loaded.published}, SUPPORTED,
                                date.today()).published
    ocr = Tesseract()
    ocr.check()
    photo = phone_sized_photo()
    warm = read_document(photo, kinds, ocr)  # the OS caches Tesseract's language data
    if warm.kind is None or warm.kind.kind != "military_contract":
        raise RuntimeError(f"the bench photo was not recognised: {warm}")
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        read_document(photo, kinds, ocr)
        seconds.append(time.perf_counter() - started)
    return summarize(seconds)


def answer_latency(runtime: Runtime, runs: int = 5) -> Latency:
    """p50/p95 of answering one phone-sized photo of an army contract on WhatsApp, as the
    photo thread does (``runtime.papers.answer`` and one render), after a warm-up."""
    photo = phone_sized_photo()
    whatsapp = profile("whatsapp")
    question = Question(text="", lang="en", country="RU")
    warm = runtime.papers.answer(photo, question, whatsapp.budget)
    if warm.document.kind != "military_contract":
        raise RuntimeError(f"the bench photo was not recognised: {warm.document}")
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = runtime.papers.answer(photo, question, whatsapp.budget)
        render_answer(answer, whatsapp, runtime.strings)
        seconds.append(time.perf_counter() - started)
    return summarize(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    photo = phone_sized_photo()
    latency = photo_latency(runs=args.runs)
    print(f"photo of a paper ({len(photo) / 1e6:.1f} MB JPEG): p50 {latency.p50_ms:.0f} ms, "
          f"p95 {latency.p95_ms:.0f} ms over {latency.n} readings", file=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
