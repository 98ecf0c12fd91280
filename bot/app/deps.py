"""The dependencies every route declares: the one way a route reaches the service's parts.

    @router.post("/api/chat")
    def chat(body: ChatRequest, account: CaseworkerDep, runtime: RuntimeDep,
             records: RecordsDep) -> ChatAnswer: ...

Each alias reads the ``AppContext`` the lifespan built (``bot.app.context``);
what cannot be had becomes a clear status: 503 while the assistant loads or
when the database cannot be opened, 401 without a session, 403 for a role too
low. Add an alias here for a new part, never ``request.app.state`` in a route.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from bot.advisor.loader import RuntimeLoader
from bot.advisor.runtime import Runtime
from bot.app import auth
from bot.app.context import AppContext, context_of
from bot.app.reindex import Reindexer
from bot.app.signin import SignInGuard
from bot.channels.twilio.channel import TwilioChannel
from bot.channels.twilio.delivery import Delivery
from bot.config import Settings
from bot.errors import IndexNotBuilt
from bot.store import Database
from bot.store.accounts import Account, Accounts, SignedIn
from bot.store.inbox import Inbox
from bot.store.records import Records


def _context(request: Request) -> AppContext:
    return context_of(request.app)


ContextDep = Annotated[AppContext, Depends(_context)]


def _settings(ctx: ContextDep) -> Settings:
    return ctx.settings


def _loader(ctx: ContextDep) -> RuntimeLoader:
    return ctx.runtime


def _runtime(ctx: ContextDep) -> Runtime:
    runtime = ctx.runtime.current()
    if runtime is None:
        raise IndexNotBuilt(f"not ready: {ctx.runtime.status()}")
    return runtime


def _database(ctx: ContextDep) -> Database:
    """The store shared by the web app and the Twilio channel; 503 when it cannot open."""
    if ctx.database is None:
        raise HTTPException(503, "the database cannot be opened: see the server log")
    return ctx.database


def _accounts(ctx: ContextDep) -> Accounts:
    if ctx.accounts is None:
        raise HTTPException(503, "the user database cannot be opened: see the server log")
    return ctx.accounts


def _delivery(ctx: ContextDep) -> Delivery:
    if ctx.twilio.delivery is None:
        raise HTTPException(503, "the database cannot be opened: see the server log")
    return ctx.twilio.delivery


def _twilio(ctx: ContextDep) -> TwilioChannel:
    return ctx.twilio


def _reindexer(ctx: ContextDep) -> Reindexer:
    return ctx.reindexer


def _signin(ctx: ContextDep) -> SignInGuard:
    return ctx.signin


SettingsDep = Annotated[Settings, Depends(_settings)]
LoaderDep = Annotated[RuntimeLoader, Depends(_loader)]  # the runtime, or why not yet
RuntimeDep = Annotated[Runtime, Depends(_runtime)]  # ready, or 503
DatabaseDep = Annotated[Database, Depends(_database)]
AccountsDep = Annotated[Accounts, Depends(_accounts)]
TwilioDep = Annotated[TwilioChannel, Depends(_twilio)]
DeliveryDep = Annotated[Delivery, Depends(_delivery)]
ReindexerDep = Annotated[Reindexer, Depends(_reindexer)]
SignInGuardDep = Annotated[SignInGuard, Depends(_signin)]


def _inbox(db: DatabaseDep) -> Inbox:
    return Inbox(db)


def _records(db: DatabaseDep) -> Records:
    return Records(db)


InboxDep = Annotated[Inbox, Depends(_inbox)]
RecordsDep = Annotated[Records, Depends(_records)]


async def _signed_in(request: Request, accounts: AccountsDep) -> SignedIn:
    return await auth.signed_in(request, accounts)


SignedInDep = Annotated[SignedIn, Depends(_signed_in)]


def _at_least(role: str):  # type: ignore[no-untyped-def]
    def check(who: SignedInDep) -> Account:
        return auth.require(who, role)

    return check


CaseworkerDep = Annotated[Account, Depends(_at_least("caseworker"))]
EditorDep = Annotated[Account, Depends(_at_least("editor"))]
AdminDep = Annotated[Account, Depends(_at_least("admin"))]
