"""Where the action being served comes from, for the audit log.

The web app sets it per request (the client's address, as the trusted proxy
reports it) and ``bot`` commands set it once (``cli:<login name>``);
``Accounts.audit`` reads it, so no route has to pass it along. A context
variable: each request (and the thread it runs in) sees its own.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

_source: ContextVar[str | None] = ContextVar("audit_source", default=None)
MAX_LENGTH = 64


def current_address() -> str | None:
    return _source.get()


def set_address(address: str | None) -> Token[str | None]:
    return _source.set(address[:MAX_LENGTH] if address else None)


def reset_address(token: Token[str | None]) -> None:
    _source.reset(token)
