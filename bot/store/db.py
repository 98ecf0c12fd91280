"""The database engine, built once per process (SQLite by default, PostgreSQL by URL).

Opening a database brings its tables to the newest migration (``bot.store.migrations``),
under an advisory lock on PostgreSQL so that replicas starting together migrate once.
A service (``serving=True``) on SQLite also holds the file against a second service
(``guard.py``). ``owner`` names this process in the leases it takes (``outbox.py``).
A SQLite file (and its ``-wal`` and ``-shm`` files, which SQLite creates with the
same mode) is readable by its owner only, in a folder only its owner can enter.
After an erasure, ``scrub`` leaves the erased text in neither file: ``secure_delete``
overwrites it in the database file, and a checkpoint that truncates the write-ahead
log removes the copies the log still held.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.store import guard
from bot.store.locks import key_of, local_lock
from bot.store.migrations import head_revision, migrate

log = logging.getLogger(__name__)
SCRUB_TRIES = 20


class Database:
    def __init__(self, url: str, *, serving: bool = False) -> None:
        parsed = make_url(url)
        # Never echo SQL parameters (message text, hashes) into exceptions and logs.
        kwargs: dict[str, Any] = {"hide_parameters": True}
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.owner = f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._guarded: Path | None = None
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                path = Path(parsed.database)
                private_file(path)
                if serving:
                    self._guarded = guard.acquire(path)
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            # A replica waits for a restarting database rather than failing at once.
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10, pool_timeout=30,
                          connect_args={"connect_timeout": 10})
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            migrate(self.engine)
        except BaseException:
            self.close()
            raise
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def exclusive(self) -> bool:
        """True when no other service can use this database (a guarded SQLite file)."""
        return self._guarded is not None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        with self._sessions() as s, s.begin():
            yield s

    def scrub(self) -> bool:
        """Move the write-ahead log into the database file and truncate it (SQLite), so
        rows just erased leave no copy in the log; False when readers kept it from
        finishing (it is tried again at the next erasure). Nothing to do on PostgreSQL,
        whose dead rows are reclaimed by autovacuum (see docs/security.md)."""
        if not self.is_sqlite:
            return True
        for _ in range(SCRUB_TRIES):
            with self.engine.connect() as conn:
                busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
            if busy is None or not busy[0]:
                return True
            time.sleep(0.05)
        log.warning("the write-ahead log could not be truncated now: readers were busy")
        return False

    @contextmanager
    def lock(self, name: str, *, wait: bool = True) -> Iterator[bool]:
        """Hold the lock ``name`` across every process on this database; yields whether it
        is held (False only with ``wait=False`` when someone else has it).

        PostgreSQL: a session advisory lock on a connection of its own, released at the
        end or when the connection dies with its process. SQLite: a lock in this process.
        """
        if self.is_sqlite:
            lock = local_lock(name)
            held = lock.acquire(blocking=wait)
            try:
                yield held
            finally:
                if held:
                    lock.release()
            return
        key = key_of(name)
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            if wait:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
                held = True
            else:
                held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                         {"k": key}).scalar())
            try:
                yield held
            finally:
                if held:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})

    def check(self) -> str | None:
        """Why this database cannot serve now (unreachable, schema not this code's), or None."""
        try:
            with self.engine.connect() as conn:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception as exc:  # noqa: BLE001 - a reason, not a crash
            return f"the database is unreachable ({type(exc).__name__})"
        expected = head_revision()
        if current != expected:
            return f"the database schema is at revision {current}, this code needs {expected}"
        return None

    def close(self) -> None:
        self.engine.dispose()
        if self._guarded is not None:
            guard.release(self._guarded)
            self._guarded = None


def private_file(path: Path) -> None:
    """Create the database file (and its folder) for its owner only; tighten an old one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for existing in (path, path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        if existing.exists() and existing.stat().st_mode & 0o077:
            existing.chmod(0o600)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the webhook threads read while the outbox worker writes;
    # secure_delete overwrites erased rows so DELETE and purge leave no trace in the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
