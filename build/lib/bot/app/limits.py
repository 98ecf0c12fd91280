"""A limit on the size of every request body, enforced while it is read.

An ASGI middleware, outside everything else: a request that announces a longer
body (``Content-Length``) is refused with 413 before a byte is read, and one that
streams more than the limit (chunked, no length) is cut off as soon as it passes
it: the 413 goes out at once and the app is told the client has gone. No route,
sign-in check or form parser ever holds more than the limit in memory. A route
may have a larger or smaller limit of its own (``overrides``, by path prefix);
the Twilio webhooks keep their own, smaller one as well.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Far above any form or question the app takes (a caseworker's reply: 1,600 characters).
DEFAULT_MAX_BYTES = 1024 * 1024


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BYTES,
                 overrides: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = dict(overrides or {})

    def limit_for(self, path: str) -> int:
        found = [p for p in self.overrides if path.startswith(p)]
        return self.overrides[max(found, key=len)] if found else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        received = 0
        started = refused = False

        async def limited_receive() -> Message:
            # Past the limit: answer 413 at once, and tell the app the client has gone,
            # so whatever reads the body stops there (whatever it makes of that is dropped).
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await _refuse(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, watched_send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else 2**63  # unreadable: refused
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body too large: at most {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
