"""Who is asking: the signed-in user of a request, role checks and the CSRF check.

Routes declare what they need with the dependencies at the bottom::

    @router.get("/inbox")
    def inbox(user: CaseworkerDep) -> ...

Without a session, pages redirect to the sign-in page and APIs answer 401. A
POST (form or JSON) must carry the session's CSRF token and must not come from
another origin, or it gets 403. A role that is too low gets 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from bot.web.accounts import Account, Accounts, SignedIn, tokens_match
from bot.web.security import SAFE_METHODS, same_origin, submitted_csrf_token

SESSION_COOKIE = "bot_session"


class NotSignedIn(Exception):
    """Turned into a redirect to /login (pages) or a 401 (APIs) by the app."""


def accounts_of(request: Request) -> Accounts:
    accounts: Accounts | None = request.app.state.bot.accounts
    if accounts is None:
        raise HTTPException(503, "the user database cannot be opened: see the server log")
    return accounts


async def signed_in(request: Request) -> SignedIn:
    who = accounts_of(request).session(request.cookies.get(SESSION_COOKIE))
    if who is None:
        raise NotSignedIn()
    request.state.signed_in = who
    if request.method not in SAFE_METHODS:
        await check_csrf(request, who.csrf_token)
    return who


async def check_csrf(request: Request, expected: str) -> None:
    if not same_origin(request):
        raise HTTPException(403, "cross-site request refused")
    if not tokens_match(expected, await submitted_csrf_token(request)):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


def _at_least(role: str):  # type: ignore[no-untyped-def]
    def check(who: Annotated[SignedIn, Depends(signed_in)]) -> Account:
        if not who.account.can(role):
            raise HTTPException(403, f"this needs the {role} role")
        return who.account

    return check


SignedInDep = Annotated[SignedIn, Depends(signed_in)]
CaseworkerDep = Annotated[Account, Depends(_at_least("caseworker"))]
EditorDep = Annotated[Account, Depends(_at_least("editor"))]
AdminDep = Annotated[Account, Depends(_at_least("admin"))]
AccountsDep = Annotated[Accounts, Depends(accounts_of)]
