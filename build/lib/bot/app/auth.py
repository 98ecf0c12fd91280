"""Who is asking: the signed-in user of a request, and the CSRF check of a POST.

Without a session, pages redirect to the sign-in page and APIs answer 401
(``NotSignedIn``, turned into either by the app). A POST (form or JSON) must
carry the session's CSRF token and must not come from another origin, or it
gets 403. A role that is too low gets 403. Routes declare what they need with
the aliases in ``bot.app.deps`` (``CaseworkerDep``, ``EditorDep``, ``AdminDep``).
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from bot.app.security import SAFE_METHODS, same_origin, submitted_csrf_token, tokens_match
from bot.store.accounts import Account, Accounts, SignedIn

SESSION_COOKIE = "bot_session"


class NotSignedIn(Exception):
    """Turned into a redirect to /login (pages) or a 401 (APIs) by the app."""


async def signed_in(request: Request, accounts: Accounts) -> SignedIn:
    who = accounts.session(request.cookies.get(SESSION_COOKIE))
    if who is None:
        raise NotSignedIn()
    request.state.signed_in = who  # for the page layout (pages.py)
    if request.method not in SAFE_METHODS:
        await check_csrf(request, who.csrf_token)
    return who


async def check_csrf(request: Request, expected: str) -> None:
    if not same_origin(request):
        raise HTTPException(403, "cross-site request refused")
    if not tokens_match(expected, await submitted_csrf_token(request)):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


def require(who: SignedIn, role: str) -> Account:
    if not who.account.can(role):
        raise HTTPException(403, f"this needs the {role} role")
    return who.account
