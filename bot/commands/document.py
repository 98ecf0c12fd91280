"""``bot document PATH``: what a photographed paper appears to be, and what to do about it.

A file that cannot be read as a page (missing, over 5 MB, not a JPEG, PNG, WebP or
PDF, or broken) is an error naming the file and the reason, found before the model
is loaded; exit 2. A page that is read but whose kind cannot be told is an answer
(it says so and asks for a sharper photo), not an error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands.output import print_answer
from bot.config import Settings
from bot.errors import BotError

WHY = {  # a refusal's reason, as the error says it
    "empty": "the file is empty",
    "too_large": "the file is larger than 5 MB",
    "unsupported_type": "not a JPEG, PNG or WebP photo or a PDF",
    "unreadable": "the file is damaged or cannot be decoded",
    "too_many_pixels": "the image has more than 40 million pixels",
    "ocr_failed": "Tesseract could not read the page",
}


def refused(path: Path, reason: str, detail: str = "") -> BotError:
    """The error for a file that was not read: the file, the reason, the detail."""
    more = f" ({detail})" if detail and reason not in ("empty", "unsupported_type") else ""
    return BotError(f"{path}: not read: {WHY.get(reason, reason)} [{reason}]{more}")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "document",
        help="read a photographed paper and answer about it",
        description="Read a photo (JPEG, PNG or WebP) or a PDF's first page of a Russian paper "
        "offline with Tesseract, say what it appears to be and which phrases gave it away, "
        "and quote the guidance of its kind with citations and contacts. The photo and its "
        "text are neither stored nor logged. Run `bot ingest` first.",
    )
    p.add_argument("path", type=Path, help="the photo or PDF (at most 5 MB)")
    p.add_argument("--lang", help="answer in this language (ISO 639-1); default: the caption's, "
                   "else English")
    p.add_argument("--country", help="the user's country (ISO 3166-1 alpha-2), e.g. RU")
    p.add_argument("--caption", default="", help="the message sent with the photo, e.g. "
                   "\"they want me to sign this now\" (it decides how urgent the answer is)")
    p.add_argument("--channel", choices=["web", "sms", "whatsapp"], default="web")
    p.add_argument("--json", action="store_true", help="print only the answer object (JSON)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.advisor.models import Question
    from bot.advisor.runtime import build_runtime
    from bot.channels.render import profile, render_answer
    from bot.documents.intake import MAX_BYTES, Refusal, take_in

    path: Path = args.path
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise refused(path, "too_large", f"{size} bytes, more than {MAX_BYTES}")
        data = path.read_bytes()
    except OSError as exc:
        raise BotError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    page = take_in(data)  # before the model loads: a wrong file fails in a moment
    if isinstance(page, Refusal):
        raise refused(path, page.reason, page.detail)
    del page
    runtime = build_runtime(settings)
    try:
        unavailable = runtime.papers.unavailable()
        if unavailable:
            raise BotError(unavailable)
        p = profile(args.channel)
        answer = runtime.papers.answer(
            data,
            Question(text=args.caption, lang=args.lang,
                     country=args.country.upper() if args.country else None),
            p.budget,
        )
        answer.answer = render_answer(answer, p, runtime.strings).text
    finally:
        runtime.close()
    if answer.document.status == "refused":
        raise refused(path, answer.document.reason or "unreadable")
    print_answer(answer, answer.answer, args.json)
    return 0
