"""Administrators: the users and the audit log, at ``/users`` (``/admin/users`` redirects)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.app.deps import AccountsDep, AdminDep
from bot.app.pages import render
from bot.store.accounts import MIN_PASSWORD, ROLES, AccountError
from bot.store.models import utcnow

router = APIRouter(tags=["web"], include_in_schema=False)


def _page(request: Request, accounts: AccountsDep, status: int = 200,
          **context: object) -> Response:
    context.setdefault("error", None)
    context.setdefault("notice", request.query_params.get("done"))
    return render(request, "users.html", status, title="Users", users=accounts.users(),
                  roles=ROLES, min_password=MIN_PASSWORD, now=utcnow(),
                  audit=accounts.audit_log(), **context)


@router.get("/users")
def users(request: Request, admin: AdminDep, accounts: AccountsDep) -> Response:
    return _page(request, accounts)


@router.get("/admin/users")
def old_address() -> Response:
    """Where the page was before: bookmarks still work."""
    return RedirectResponse("/users", status_code=308)


@router.post("/users")
def add_user(
    request: Request,
    admin: AdminDep,
    accounts: AccountsDep,
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        accounts.add(name.strip(), role, password)
    except AccountError as exc:
        return _page(request, accounts, 400, error=str(exc))
    accounts.audit(admin, "user added", f"user:{name.strip()}")
    return RedirectResponse("/users?" + urlencode({"done": f"{name.strip()} added"}),
                            status_code=303)


@router.post("/users/{name}/{action}")
def change_user(request: Request, name: str, action: str, admin: AdminDep,
                accounts: AccountsDep) -> Response:
    try:
        if action == "unlock":
            accounts.unlock(name)
        elif action in ("disable", "enable"):
            if name == admin.name:
                raise AccountError("you cannot disable your own account")
            accounts.set_active(name, action == "enable")
        else:
            return _page(request, accounts, 404, error=f"unknown action {action!r}")
    except AccountError as exc:
        return _page(request, accounts, 400, error=str(exc))
    done = {"unlock": "unlocked", "disable": "disabled", "enable": "enabled"}[action]
    accounts.audit(admin, f"user {done}", f"user:{name}")
    return RedirectResponse("/users?" + urlencode({"done": f"{name} {done}"}),
                            status_code=303)
