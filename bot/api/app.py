"""The FastAPI application. Heavy things are built once, in the lifespan."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from bot import __version__
from bot.api.routes import ask, health, twilio
from bot.api.state import AppState
from bot.config import Settings, get_settings
from bot.errors import BotError, IndexError_
from bot.web.auth import NotSignedIn, SignedInDep
from bot.web.pages import STATIC, render
from bot.web.routes import admin as web_admin
from bot.web.routes import auth as web_auth
from bot.web.routes import chat as web_chat
from bot.web.routes import gaps as web_gaps
from bot.web.routes import inbox as web_inbox
from bot.web.routes import knowledge as web_knowledge
from bot.web.security import SecurityHeaders

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
        # No Swagger page: it loads scripts from a CDN. The spec needs a signed-in user.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.bot = state
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(health.router)
    app.include_router(ask.router)
    app.include_router(twilio.router)
    app.include_router(web_auth.router)
    app.include_router(web_admin.router)
    app.include_router(web_gaps.router)
    app.include_router(web_knowledge.router)
    app.include_router(web_inbox.router)
    app.include_router(web_chat.router)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(_: SignedInDep) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, _: NotSignedIn) -> Response:
        if _wants_html(request):
            return web_auth.login_redirect(request)
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

    return app


def _wants_html(request: Request) -> bool:
    """Pages (a browser navigating) rather than the JSON API."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")
