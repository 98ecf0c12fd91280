"""What the web app holds between requests: the runtime, once it is loaded."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request

from bot.config import Settings
from bot.errors import IndexNotBuilt
from bot.runtime import Runtime, build_runtime
from bot.store import Database

if TYPE_CHECKING:
    from bot.channels.twilio.channel import TwilioChannel
    from bot.knowledge.models import Referral
    from bot.web.accounts import Accounts

log = logging.getLogger(__name__)


class AppState:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runtime: Runtime | None = None
        self.error: str | None = None
        self._lock = threading.Lock()
        self.twilio: TwilioChannel | None = None
        self.db: Database | None = None
        self.accounts: Accounts | None = None
        self.open_store()

    def open_store(self) -> None:
        """The conversation store and the caseworkers' accounts (one engine for both)."""
        from bot.web.accounts import Accounts

        try:
            self.db = Database(self.settings.database)
        except Exception as exc:  # noqa: BLE001 - webhooks still get the general contacts
            log.error("the database cannot be opened: %s", type(exc).__name__)
            return
        s = self.settings
        accounts = Accounts(self.db, session_hours=s.session_hours,
                            idle_minutes=s.session_idle_minutes,
                            max_failures=s.login_max_failures,
                            lockout_minutes=s.login_lockout_minutes)
        if not accounts.users():
            log.warning("no web accounts yet: create the first admin with "
                        "`bot users add NAME --role admin`, then sign in at /login")
        self.accounts = accounts

    def load(self) -> None:
        try:
            runtime = build_runtime(self.settings, watch=True)
        except Exception as exc:  # noqa: BLE001 - reported on /readyz, the process stays up
            log.exception("could not load the assistant")
            self.error = str(exc)
            return
        with self._lock:
            self.runtime = runtime

    @property
    def ready(self) -> bool:
        return self.runtime is not None and self.runtime.watcher.ready

    def status(self) -> str:
        if self.error:
            return self.error
        if self.runtime is None:
            return "loading the embedding model and the index"
        if not self.runtime.watcher.ready:
            return self.runtime.watcher.last_error or "no index yet: run `bot ingest`"
        return "ready"

    # WhatsApp and SMS (issue 4): the store, the sender and the outbox worker.
    def start_twilio(self) -> None:
        from bot.channels.twilio.channel import TwilioChannel

        def answerer() -> Runtime | None:
            return self.runtime if self.ready else None

        def referrals() -> dict[str, Referral] | None:
            runtime = answerer()
            return runtime.watcher.view.referrals if runtime is not None else None

        self.twilio = TwilioChannel(
            self.settings,
            answerer=answerer,
            referrals=referrals,
            strings=lambda: self.runtime.strings if self.runtime else None,
            db=self.db,
        )
        self.twilio.start()

    def close(self) -> None:
        if self.twilio is not None:
            self.twilio.close()
            self.twilio = None
        with self._lock:
            if self.runtime is not None:
                self.runtime.close()
                self.runtime = None
        if self.db is not None:
            self.db.close()


def get_runtime(request: Request) -> Runtime:
    state: AppState = request.app.state.bot
    if not state.ready or state.runtime is None:
        raise IndexNotBuilt(f"not ready: {state.status()}")
    return state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_database(request: Request) -> Database:
    """The store shared by the web app and the Twilio channel; 503 when it cannot open."""
    db: Database | None = request.app.state.bot.db
    if db is None:
        raise HTTPException(503, "the database cannot be opened: see the server log")
    return db


DatabaseDep = Annotated[Database, Depends(get_database)]
