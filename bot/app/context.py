"""What the web service holds between requests, built once by the lifespan.

    AppContext
     +-- runtime     RuntimeLoader: the assistant, loaded in the background
     +-- database    the one Database of the process (None until it can be opened)
     +-- accounts    the caseworkers' accounts, on that database
     +-- reindexer   re-indexing from the knowledge page
     +-- signin      sign-in limits per address, the failed sign-ins' audit throttle
     +-- twilio      the WhatsApp and SMS channel, on that database and runtime

A database that cannot be opened or migrated (down, unreachable, a schema this
code does not know) is tried again every ``BOT_DATABASE_RETRY_SECONDS`` in the
background; meanwhile ``/readyz`` says why and webhooks get the general
contacts. Once it opens, the accounts and the Twilio channel are built on it.
A second service on the same SQLite file is refused at once (``DatabaseInUse``).

Routes reach it only through ``bot.app.deps``; tests read it with
``context_of(app)`` once the app has started.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from fastapi import FastAPI

from bot.advisor.loader import RuntimeLoader
from bot.advisor.runtime import Runtime
from bot.app.reindex import Reindexer
from bot.app.signin import SignInGuard
from bot.channels.context import ChannelContext
from bot.channels.twilio.channel import TwilioChannel
from bot.config import Settings
from bot.errors import ConfigError
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
    database_error: str | None = None  # why the database is not open yet
    _stop: threading.Event = field(default_factory=threading.Event)
    _opener: threading.Thread | None = None

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
        signin = SignInGuard(settings.login_max_failures_per_address,
                             settings.login_lockout_minutes)
        context = cls(settings, loader, None, None, Reindexer(settings),
                      TwilioChannel(ChannelContext.create(settings, loader, None)), signin)
        error = context._try_database()
        if error is not None:
            context.database_error = error
            log.error("%s; trying again every %.0f s", error, settings.database_retry_seconds)
        return context

    def _try_database(self) -> str | None:
        """Open the database and build its parts; why not, or None. A second service on
        one SQLite file (``DatabaseInUse``) or a setting that cannot work raises ``ConfigError``:
        that is refused, not retried."""
        try:
            database = Database(self.settings.database, serving=True)
        except ConfigError:  # DatabaseInUse
            raise
        except Exception as exc:  # noqa: BLE001 - tried again; webhooks get the contacts
            return f"the database cannot be opened: {type(exc).__name__}"
        try:  # a ConfigError here (BOT_RATE_LIMIT_STORAGE) is refused too
            accounts = _accounts(self.settings, database)
            twilio = TwilioChannel(ChannelContext.create(self.settings, self.runtime, database))
        except BaseException:
            database.close()
            raise
        self.accounts, self.twilio = accounts, twilio
        self.database, self.database_error = database, None
        return None

    def start(self) -> None:
        self.runtime.start()
        self.twilio.start()
        if self.database is None:
            self._opener = threading.Thread(target=self._retry, name="database-opener",
                                            daemon=True)
            self._opener.start()

    def _retry(self) -> None:
        while self.database is None and not self._stop.wait(self.settings.database_retry_seconds):
            error = self._try_database()
            if error is None:
                log.info("the database is open")
                self.twilio.start()
            else:
                self.database_error = error

    def close(self) -> None:
        self._stop.set()
        if self._opener is not None:
            self._opener.join(10)
        self.twilio.close()
        self.runtime.close()
        if self.database is not None:
            self.database.close()


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
