"""The FastAPI application. Heavy things are built once, in the lifespan."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot import __version__
from bot.api.routes import ask, health, twilio
from bot.api.state import AppState
from bot.config import Settings, get_settings
from bot.errors import BotError, IndexError_

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    state = AppState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Load in the background so /healthz answers at once and /readyz says when ready.
        loader = threading.Thread(target=state.load, name="runtime-loader", daemon=True)
        loader.start()
        state.start_twilio()
        yield
        state.close()

    app = FastAPI(
        title="Advisory assistant",
        version=__version__,
        description="Answers only from vetted NGO guidance, with citations and referral contacts.",
        lifespan=lifespan,
    )
    app.state.bot = state
    app.include_router(health.router)
    app.include_router(ask.router)
    app.include_router(twilio.router)

    @app.exception_handler(IndexError_)
    async def _index_error(_: Request, exc: IndexError_) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(BotError)
    async def _bot_error(_: Request, exc: BotError) -> JSONResponse:
        log.error("request failed: %s", exc)
        return JSONResponse({"detail": str(exc)}, status_code=500)

    return app
