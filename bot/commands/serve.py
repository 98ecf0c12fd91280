"""``bot serve``: the web service."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="run the web service",
        description="Serve the caseworkers' web app (/login, /chat, /inbox), POST /api/ask, "
        "the Twilio webhooks, /healthz and /readyz. "
        "One process owns the embedded index; it follows new `bot ingest` runs by itself.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    import logging

    import uvicorn
    from sqlalchemy.engine import make_url

    from bot.app import create_app
    from bot.store import guard

    # A service's log says what it does: loading, ready, index switches (never a message).
    logging.getLogger("bot").setLevel(logging.INFO)
    url = make_url(settings.database)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        # Refused here, with a one-line error, rather than in the app's lifespan: SQLite
        # serves one process; several replicas need PostgreSQL (BOT_DATABASE_URL).
        guard.acquire(Path(url.database))
    # One worker on purpose: the embedded Chroma client is not safe across processes.
    uvicorn.run(create_app(settings), host=args.host, port=args.port, workers=1, log_level="info")
    return 0
