"""What the web service holds between requests, built once by the lifespan.

    AppContext
     +-- runtime     RuntimeLoader: the assistant, loaded in the background
     +-- database    the one Database of the process (None when it cannot be opened)
     +-- accounts    the caseworkers' accounts, on that database
     +-- reindexer   re-indexing from the knowledge page
     +-- signin      sign-in limits per address, the failed sign-ins' audit throttle
     +-- twilio      the WhatsApp and SMS channel, on that database and runtime

Routes reach it only through ``bot.app.deps``; tests read it with
``context_of(app)`` once the app has started.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import FastAPI

from bot.advisor.loader import RuntimeLoader
from bot.advisor.runtime import Runtime
from bot.app.reindex import Reindexer
from bot.app.signin import SignInGuard
from bot.channels.context import ChannelContext
from bot.channels.twilio.channel import TwilioChannel
from bot.config import Settings
from bot.store import Database
from bot.store.accounts import Accounts

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: Settings
    runtime: RuntimeLoader
    database: Database | None
    accounts: Accounts | None
    reindexer: Reindexer
    twilio: TwilioChannel
    signin: SignInGuard

    @classmethod
    def open(cls, settings: Settings,
             runtime: Runtime | RuntimeLoader | None = None) -> AppContext:
        """Open the database and build every part. The runtime is loaded by ``start``,
        unless one is handed in (or a loader of one's own)."""
        if isinstance(runtime, RuntimeLoader):
            loader = runtime
        elif runtime is not None:
            loader = RuntimeLoader.of(runtime)
        else:
            loader = RuntimeLoader(settings)
        database = _open_database(settings)
        accounts = _accounts(settings, database) if database is not None else None
        channel = TwilioChannel(ChannelContext.create(settings, loader, database))
        signin = SignInGuard(settings.login_max_failures_per_address,
                             settings.login_lockout_minutes)
        return cls(settings, loader, database, accounts, Reindexer(settings), channel, signin)

    def start(self) -> None:
        self.runtime.start()
        self.twilio.start()

    def close(self) -> None:
        self.twilio.close()
        self.runtime.close()
        if self.database is not None:
            self.database.close()


def _open_database(settings: Settings) -> Database | None:
    try:
        return Database(settings.database)
    except Exception as exc:  # noqa: BLE001 - webhooks still get the general contacts
        log.error("the database cannot be opened: %s", type(exc).__name__)
        return None


def _accounts(settings: Settings, database: Database) -> Accounts:
    accounts = Accounts(database, session_hours=settings.session_hours,
                        idle_minutes=settings.session_idle_minutes,
                        max_failures=settings.login_max_failures,
                        lockout_minutes=settings.login_lockout_minutes)
    if not accounts.users():
        log.warning("no web accounts yet: create the first admin with "
                    "`bot users add NAME --role admin`, then sign in at /login")
    return accounts


def context_of(app: FastAPI) -> AppContext:
    """The running app's context (set by the lifespan)."""
    context: AppContext | None = getattr(app.state, "context", None)
    if context is None:
        raise RuntimeError("the app has not started: its lifespan builds the context")
    return context
