"""``bot ask``: answer one question from the index."""

from __future__ import annotations

import argparse

from bot.commands.output import print_answer
from bot.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ask",
        help="answer one question from the index",
        description="Answer one question from the published knowledge, with citations and "
        "referral contacts. Run `bot ingest` first.",
    )
    p.add_argument("question", help="the question, in any supported language")
    p.add_argument("--lang", help="the user's language (ISO 639-1); detected when omitted")
    p.add_argument("--country", help="the user's country (ISO 3166-1 alpha-2), e.g. RU or NP")
    p.add_argument("--channel", choices=["web", "sms", "whatsapp"], default="web")
    p.add_argument("--json", action="store_true", help="print only the answer object (JSON)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.advisor.models import Question
    from bot.advisor.runtime import build_runtime
    from bot.channels.answers import answer_for

    runtime = build_runtime(settings)
    try:
        answer = answer_for(
            runtime,
            Question(
                text=args.question,
                lang=args.lang,
                country=args.country.upper() if args.country else None,
            ),
            channel=args.channel,
        )
    finally:
        runtime.close()
    print_answer(answer, answer.answer, args.json)
    return 0
