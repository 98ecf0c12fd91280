"""Rendering pages: Jinja2 with escaping always on, and the layout's common values."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot import __version__

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# Pages in the top menu: (path, label, the lowest role that sees it).
NAV = (
    ("/chat", "Ask", "caseworker"),
    ("/inbox", "Inbox", "caseworker"),
    ("/gaps", "Knowledge gaps", "caseworker"),
    ("/knowledge", "Knowledge", "editor"),
    ("/users", "Users", "admin"),
)


@lru_cache(maxsize=1)
def environment() -> Environment:
    # autoescape=True for every template: a question or a document is always shown as text.
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    who = getattr(request.state, "signed_in", None)
    account = who.account if who else None
    values = {
        "user": account,
        "csrf_token": who.csrf_token if who else "",
        "nav": [(p, label) for p, label, role in NAV if account and account.can(role)],
        "path": request.url.path,
        "version": __version__,
        "title": "",
    }
    values.update(context)
    html = environment().get_template(template).render(**values)
    return HTMLResponse(html, status_code=status_code)
