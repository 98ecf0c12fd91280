"""Signing in and out.

The sign-in form is protected against login CSRF with a double-submit token: a
random value in a short-lived cookie that must match the form's hidden field.

A failed sign-in gets one answer whatever the reason (unknown name, disabled,
wrong password, locked) and takes as long in each case, so the form does not tell
which names are accounts. An address that failed too often lately is refused
before any password is checked (``bot.app.signin``).
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.app.auth import SESSION_COOKIE
from bot.app.deps import AccountsDep, SettingsDep, SignedInDep, SignInGuardDep
from bot.app.pages import render
from bot.app.security import same_origin, tokens_match
from bot.app.source import client_address
from bot.config import Settings

router = APIRouter(tags=["web"])
LOGIN_CSRF_COOKIE = "bot_login_csrf"
FAILED = ("Wrong user name or password, or the account is locked after too many failed "
          "attempts. A locked account opens again after {minutes:g} minutes; an "
          "administrator can unlock it sooner.")
TOO_MANY = ("Too many failed sign-ins from your network. Wait {minutes:g} minutes, or ask "
            "an administrator for help.")


def safe_next(value: str | None) -> str:
    """Only a path of this site (never //host or a scheme): no open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/chat"
    return value


def _login_page(request: Request, settings: Settings, status: int = 200,
                **context: object) -> Response:
    token = secrets.token_urlsafe(32)
    context.setdefault("error", None)
    context.setdefault("notice", None)
    context.setdefault("name", "")
    context.setdefault("next", safe_next(request.query_params.get("next")))
    response = render(request, "login.html", status, title="Sign in", login_csrf=token,
                      **context)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True,
                        samesite="strict", secure=settings.secure_cookies,
                        path="/login")
    return response


@router.get("/login", include_in_schema=False)
def login_form(request: Request, settings: SettingsDep) -> Response:
    return _login_page(request, settings, notice="You have been signed out."
                       if request.query_params.get("bye") else None)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    accounts: AccountsDep,
    settings: SettingsDep,
    guard: SignInGuardDep,
    name: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/chat",  # noqa: A002 - the form's field
) -> Response:
    if not same_origin(request) or not tokens_match(
        request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token
    ):
        return _login_page(request, settings, 403, error="The form expired. Please sign in again.",
                           name=name)
    address = client_address(request.scope)
    minutes = settings.login_lockout_minutes
    if guard.blocked(address):
        return _login_page(request, settings, 429, error=TOO_MANY.format(minutes=minutes),
                           name=name, next=safe_next(next))
    result = accounts.login(name, password)
    if result.account is None:
        guard.failed(accounts, address, name.strip(), result)
        return _login_page(request, settings, 401, error=FAILED.format(minutes=minutes),
                           name=name, next=safe_next(next))
    token, _csrf = accounts.start_session(result.account)
    accounts.audit(result.account, "sign-in")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=settings.secure_cookies, path="/",
                        max_age=int(settings.session_hours * 3600))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, who: SignedInDep, accounts: AccountsDep) -> Response:
    accounts.end_session(request.cookies.get(SESSION_COOKIE))
    accounts.audit(who.account, "sign-out")
    response = RedirectResponse("/login?bye=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/session")
def session(who: SignedInDep) -> dict[str, str]:
    """Who is signed in, and the CSRF token that JSON POSTs must send (X-CSRF-Token)."""
    return {"name": who.account.name, "role": who.account.role,
            "csrf_token": who.csrf_token}


@router.get("/", include_in_schema=False)
def home(_: SignedInDep) -> Response:
    return RedirectResponse("/chat", status_code=303)


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
