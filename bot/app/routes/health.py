"""Liveness and readiness.

``/healthz``: the process is up. ``/readyz``: this replica can serve, checked at
each call: the assistant is loaded with an index, the database answers with the
schema this code needs, and the Chroma server (when one is configured) answers.
A load balancer sends nothing to a replica that is not ready; the replica keeps
trying to open its database meanwhile (``AppContext``).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.app.deps import ContextDep
from bot.index.heartbeat import chroma_unreachable

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(ctx: ContextDep) -> JSONResponse:
    """Ready only once the assistant, its index, the database and Chroma can all serve."""
    problems: dict[str, str] = {}
    runtime = ctx.runtime.current()
    if runtime is None:
        problems["assistant"] = ctx.runtime.status()
    if ctx.database is None:
        problems["database"] = ctx.database_error or "the database is not open yet"
    elif (why := ctx.database.check()) is not None:
        problems["database"] = why
    if (why := chroma_unreachable(ctx.settings.chroma_url)) is not None:
        problems["index"] = why
    if runtime is not None and not problems:
        return JSONResponse({"status": "ready", "index": runtime.watcher.view.generation})
    return JSONResponse({"status": "not ready", "detail": "; ".join(problems.values()),
                         "checks": problems}, status_code=503)
