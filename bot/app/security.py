"""Response headers for every answer the app gives, and the CSRF check.

The pages load only the app's own script and style sheet: the
Content-Security-Policy forbids inline scripts, other origins and framing.
Nothing that shows a conversation or an answer may be cached. In production
every answer also tells browsers to use HTTPS only (HSTS); the server's name and
version are never sent (``bot serve`` turns uvicorn's ``Server`` header off).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
HSTS = "max-age=63072000; includeSubDomains"  # two years


class SecurityHeaders(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        super().__init__(app)
        self.hsts = hsts

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # "same-origin", not "no-referrer": under no-referrer Chromium sends `Origin: null` on
        # form POSTs, which the CSRF check must refuse. Other sites still get no referrer.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if self.hsts:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if "server" in headers:
            del headers["server"]
        if request.url.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "private, max-age=300")
        else:
            headers["Cache-Control"] = "no-store"
        return response


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        # Browsers send Origin on cross-site POSTs; "null" (sandboxed frames) is refused.
        return origin is None
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


async def submitted_csrf_token(request: Request) -> str | None:
    """The CSRF token of a POST: the header (JSON requests) or the form field."""
    token = request.headers.get(CSRF_HEADER)
    if token:
        return token
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Two tokens are the same (in constant time); a missing one matches nothing."""
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))
