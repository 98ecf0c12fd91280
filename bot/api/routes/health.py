"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready only once the embedding model and the index are loaded."""
    state = request.app.state.bot
    if state.ready:
        return JSONResponse(
            {"status": "ready", "index": state.runtime.watcher.view.generation}
        )
    return JSONResponse({"status": "not ready", "detail": state.status()}, status_code=503)
