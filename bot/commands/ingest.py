"""``bot ingest``: validate the knowledge folder and publish a new index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Settings
from bot.errors import IndexBusy, KnowledgeError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ingest",
        help="validate and index the knowledge folder (incremental)",
        description="Validate the knowledge folder and index it into BOT_DATA_DIR (with "
        "BOT_CHROMA_URL: onto the Chroma server, published in the shared database). Unchanged "
        "passages are not embedded again; every running `bot serve` switches to the new index "
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
    from bot.index.place import IndexPlace

    folder = args.knowledge or settings.knowledge_dir
    if not folder.is_dir():
        print(f"error: knowledge folder {folder} does not exist", file=sys.stderr)
        return 2
    place = IndexPlace.of(settings, migrate=True)
    try:
        report = ingest(
            folder,
            place,
            make_embedder(settings.embedder),
            settings.embedder,
            progress=not args.quiet,
            force=args.force,
        )
    except KnowledgeError as exc:
        for line in refusal_lines(exc):
            print(line, file=sys.stderr)
        return 1
    except IndexBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    finally:
        place.close()
    for line in report.lines():
        print(line)
    return 0
