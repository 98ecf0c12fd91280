"""``bot serve``: the web service."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import uvicorn

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


def server_config(app: Any, host: str, port: int) -> uvicorn.Config:
    """How ``bot serve`` runs the app: one worker, and no ``Server`` header (the name and
    version of the server help only an attacker). Client addresses come from
    ``X-Forwarded-For`` only when the proxy is trusted (uvicorn's ``FORWARDED_ALLOW_IPS``,
    by default 127.0.0.1): the sign-in limits and the audit log count by them."""
    # One worker on purpose: the embedded Chroma client is not safe across processes.
    return uvicorn.Config(app, host=host, port=port, workers=1, log_level="info",
                          server_header=False, proxy_headers=True)


def run(args: argparse.Namespace, settings: Settings) -> int:
    import logging

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
    uvicorn.Server(server_config(create_app(settings), args.host, args.port)).run()
    return 0
