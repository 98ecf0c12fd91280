"""The client address of each request, for the audit log (``bot.store.audit_source``).

A pure ASGI middleware: the address is the one uvicorn puts in the scope, which
behind a proxy comes from ``X-Forwarded-For`` only when the proxy is listed in
uvicorn's ``--forwarded-allow-ips`` (by default only 127.0.0.1 is trusted).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from bot.store.audit_source import reset_address, set_address


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class SourceAddress:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = set_address(client_address(scope))
        try:
            await self.app(scope, receive, send)
        finally:
            reset_address(token)
