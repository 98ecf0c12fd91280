"""``bot knowledge check [DIR]``: validate the knowledge folder without indexing it.

Standard output holds only the report (one problem a line, then a summary), so
editors and CI can read it; with ``--json`` it holds only the JSON list of
problems and the summary goes to standard error. Exit 1 when there are errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import date
from pathlib import Path

import yaml

from bot.advisor.strings import string_gaps
from bot.config import Settings, prompts_dir
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import Problem
from bot.knowledge.summary import summary
from bot.text.languages import SERVED


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("knowledge", help="work with the knowledge folder")
    actions = parser.add_subparsers(dest="knowledge_command", metavar="ACTION")
    actions.required = True
    check = actions.add_parser(
        "check",
        help="validate guides and referrals; warn on review dates that have passed",
        description="Validate the knowledge folder and list every problem, with file, "
        "line and field; also warn on the assistant's texts (prompts/strings) that a "
        "language lacks. Exits 1 when there are errors (warnings alone exit 0).",
    )
    check.add_argument(
        "dir", nargs="?", type=Path, default=None, help="the knowledge folder (BOT_KNOWLEDGE_DIR)"
    )
    check.add_argument("--json", action="store_true", help="print the problems as JSON")
    check.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    root = args.dir if args.dir is not None else settings.knowledge_dir
    knowledge = load_knowledge(root, today=date.today())
    texts = _text_gaps(settings)
    ordered = knowledge.errors + knowledge.warnings + texts
    if args.json:
        print(json.dumps([dataclasses.asdict(p) for p in ordered], ensure_ascii=False, indent=2))
        print(summary(knowledge, len(texts)), file=sys.stderr)
    else:
        for problem in ordered:
            print(problem)
        print(summary(knowledge, len(texts)))
    return 1 if knowledge.errors else 0


def _text_gaps(settings: Settings) -> list[Problem]:
    """The assistant's texts a language lacks: shown in English instead."""
    directory = prompts_dir(settings) / "strings"
    try:
        return string_gaps(directory, SERVED)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        return [Problem(str(directory), 1, None, str(exc), "warning")]
