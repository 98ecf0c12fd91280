"""``bot purge``: hard-delete conversation data older than the retention period (for cron)."""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "purge",
        help="delete conversation data older than BOT_RETENTION_DAYS",
        description="Hard-delete messages, queued replies, escalations, opt-outs and senders "
        "not seen for longer than the retention period (BOT_RETENTION_DAYS, default 30). "
        "Run it daily, from cron or a scheduler.",
    )
    p.add_argument("--days", type=int, help="override BOT_RETENTION_DAYS for this run")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import Conversations, Database
    from bot.store.models import utcnow

    days = args.days if args.days is not None else settings.retention_days
    if days < 0:
        print("error: --days must be 0 or more")
        return 2
    db = Database(settings.database)
    try:
        counts = Conversations(db).purge(utcnow() - timedelta(days=days))
    finally:
        db.close()
    summary = ", ".join(f"{n} {table}" for table, n in counts.items())
    print(f"deleted data older than {days} day(s): {summary}")
    return 0
