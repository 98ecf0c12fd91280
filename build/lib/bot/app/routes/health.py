"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.app.deps import LoaderDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(loader: LoaderDep) -> JSONResponse:
    """Ready only once the embedding model and the index are loaded."""
    runtime = loader.current()
    if runtime is not None:
        return JSONResponse({"status": "ready", "index": runtime.watcher.view.generation})
    return JSONResponse({"status": "not ready", "detail": loader.status()}, status_code=503)
