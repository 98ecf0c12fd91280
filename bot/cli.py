"""The ``bot`` command line. Each sub-command lives in ``bot/commands/<name>.py``.

A command module exposes ``register(subparsers)`` which adds its parser and sets
``func=run`` where ``run(args, settings) -> int`` is the exit code. Errors of the
project (``BotError``) become a one-line message on standard error and exit 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from bot import __version__
from bot.errors import BotError

COMMANDS = ("knowledge", "ingest", "ask", "document", "serve", "eval", "purge", "users")


def _offline_defaults() -> None:
    # A hub name would otherwise hang for ~70 s before failing: we never download at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="bot",
        description="Answer questions from vetted guidance, with citations and referral contacts.",
    )
    parser.add_argument("--version", action="version", version=f"bot {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (to stderr)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"bot.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _offline_defaults()
    # Every file a command creates (database, index, cache) is its owner's only.
    os.umask(0o077)
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from bot.config import get_settings

    try:
        settings = get_settings()
        return int(args.func(args, settings))
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
