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
from bot.knowledge.documents import load_document_kinds
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import REVIEWERS, Knowledge, Problem
from bot.knowledge.summary import summary
from bot.knowledge.translations import stale_translations
from bot.text.languages import SERVED


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("knowledge", help="work with the knowledge folder")
    actions = parser.add_subparsers(dest="knowledge_command", metavar="ACTION")
    actions.required = True
    check = actions.add_parser(
        "check",
        help="validate guides, referrals and document kinds; warn on passed review dates",
        description="Validate the knowledge folder and list every problem, with file, "
        "line and field; also warn on the assistant's texts (prompts/strings) that a "
        "language lacks. Exits 1 when there are errors (warnings alone exit 0).",
    )
    check.add_argument(
        "dir", nargs="?", type=Path, default=None, help="the knowledge folder (BOT_KNOWLEDGE_DIR)"
    )
    check.add_argument("--json", action="store_true", help="print the problems as JSON")
    check.add_argument(
        "--review",
        action="store_true",
        help="also list the guides awaiting legal or native-speaker review, and the "
        "translations whose English original changed since they were made",
    )
    check.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    root = args.dir if args.dir is not None else settings.knowledge_dir
    knowledge = load_knowledge(root, today=date.today())
    published = {d.id for d in knowledge.published}
    kinds = load_document_kinds(root, published, SERVED, date.today())
    knowledge.problems.extend(kinds.problems)  # documents/*.yaml: the kinds of paper
    texts = _text_gaps(settings)
    ordered = knowledge.errors + knowledge.warnings + texts
    if args.json:
        print(json.dumps([dataclasses.asdict(p) for p in ordered], ensure_ascii=False, indent=2))
        print(summary(knowledge, len(texts)), file=sys.stderr)
    else:
        for problem in ordered:
            print(problem)
        if args.review:
            print(review_report(knowledge))
        print(summary(knowledge, len(texts)))
    return 1 if knowledge.errors else 0


def review_report(knowledge: Knowledge) -> str:
    """What awaits whom: guides by pending reviewer, then stale translations."""
    lines = []
    for who in REVIEWERS:
        waiting = sorted(d.path for d in knowledge.documents if who in d.awaiting_review)
        lines.append(f"awaiting {who} review: {len(waiting)}")
        lines.extend(f"  {path}" for path in waiting)
    stale = stale_translations(knowledge.documents)
    lines.append(f"translations older than their English original: {len(stale)}")
    lines.extend(f"  {doc.path} (English: {original.path})" for doc, original in stale)
    return "\n".join(lines)


def _text_gaps(settings: Settings) -> list[Problem]:
    """The assistant's texts a language lacks: shown in English instead."""
    directory = prompts_dir(settings) / "strings"
    try:
        return string_gaps(directory, SERVED)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        return [Problem(str(directory), 1, None, str(exc), "warning")]
