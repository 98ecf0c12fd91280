"""The FastAPI application. Heavy things are built once, in the lifespan.

``create_app(settings, runtime)`` takes the settings (default: the
environment's) and, for tests, a runtime built beforehand; the lifespan opens
the ``AppContext`` (database, accounts, re-indexer, Twilio channel) and starts
loading the runtime in the background, so ``/healthz`` answers at once and
``/readyz`` says when the assistant is ready.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from bot import __version__
from bot.advisor.loader import RuntimeLoader
from bot.advisor.runtime import Runtime
from bot.app.auth import NotSignedIn
from bot.app.context import AppContext
from bot.app.limits import BodyLimit
from bot.app.pages import STATIC, render
from bot.app.routes import (
    ask,
    auth,
    chat,
    docs,
    documents,
    gaps,
    health,
    inbox,
    knowledge,
    twilio,
    users,
)
from bot.app.security import SecurityHeaders
from bot.app.source import SourceAddress
from bot.config import Settings, get_settings
from bot.errors import BotError, IndexError_

log = logging.getLogger(__name__)
ROUTERS = (health, ask, twilio, auth, users, gaps, knowledge, inbox, chat, documents, docs)


def create_app(settings: Settings | None = None,
               runtime: Runtime | RuntimeLoader | None = None) -> FastAPI:
    """The service. ``runtime``: serve this one (built and closed by the caller), or
    load it through this loader; by default it is loaded in the background."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context = AppContext.open(settings, runtime)
        app.state.context = context
        context.start()
        try:
            yield
        finally:
            context.close()

    app = FastAPI(
        title="Advisory assistant",
        version=__version__,
        description="Answers only from vetted NGO guidance, with citations and referral contacts.",
        lifespan=lifespan,
        # FastAPI's own pages load scripts from a CDN: routes/docs.py serves both, offline,
        # to signed-in users.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_middleware(SecurityHeaders, hsts=settings.env == "production")
    app.add_middleware(SourceAddress)
    # Added last, so it is the outermost: the body is limited before anything reads it.
    # A photo of a paper is larger: its route reads at most MAX_BODY itself and says
    # "at most 5 MB" (a body twice that is cut off here, unread).
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes,
                       overrides={"/api/chat/document": 2 * documents.MAX_BODY})
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    _handle_errors(app)
    return app


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, _: NotSignedIn) -> Response:
        if _wants_html(request):
            return auth.login_redirect(request)
        return JSONResponse({"detail": "sign in first"}, status_code=401,
                            headers={"WWW-Authenticate": 'Cookie realm="bot"'})

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_html(request) and exc.status_code in (403, 404, 503):
            heading = {403: "Not allowed", 404: "Not found", 503: "Not available"}
            return render(request, "error.html", exc.status_code,
                          title=heading[exc.status_code], heading=heading[exc.status_code],
                          message=str(exc.detail))
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(IndexError_)
    async def _index_error(_: Request, exc: IndexError_) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(BotError)
    async def _bot_error(_: Request, exc: BotError) -> JSONResponse:
        log.error("request failed: %s", exc)
        return JSONResponse({"detail": str(exc)}, status_code=500)


def _wants_html(request: Request) -> bool:
    """Pages (a browser navigating) rather than the JSON API."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")
