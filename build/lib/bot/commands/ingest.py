"""``bot ingest``: validate the knowledge folder and publish a new index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Settings
from bot.errors import KnowledgeError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ingest",
        help="validate and index the knowledge folder (incremental)",
        description="Validate the knowledge folder and index it into BOT_DATA_DIR. Unchanged "
        "passages are not embedded again; a running `bot serve` switches to the new index "
        "within seconds.",
    )
    p.add_argument(
        "--knowledge", type=Path, help="the knowledge folder (default: BOT_KNOWLEDGE_DIR)"
    )
    p.add_argument(
        "--force", action="store_true", help="publish a new index even if nothing changed"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.index.embedders import make_embedder
    from bot.index.ingest import ingest, refusal_lines

    folder = args.knowledge or settings.knowledge_dir
    if not folder.is_dir():
        print(f"error: knowledge folder {folder} does not exist", file=sys.stderr)
        return 2
    try:
        report = ingest(
            folder,
            settings.data_dir,
            make_embedder(settings.embedder),
            settings.embedder,
            chroma_url=settings.chroma_url,
            progress=not args.quiet,
            force=args.force,
        )
    except KnowledgeError as exc:
        for line in refusal_lines(exc):
            print(line, file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    return 0
