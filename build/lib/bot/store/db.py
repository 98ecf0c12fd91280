"""The database engine, built once per process (SQLite by default, PostgreSQL by URL).

Opening a database brings its tables to the newest migration (``bot.store.migrations``).
A SQLite file (and its ``-wal`` and ``-shm`` files, which SQLite creates with the
same mode) is readable by its owner only, in a folder only its owner can enter.
After an erasure, ``scrub`` leaves the erased text in neither file: ``secure_delete``
overwrites it in the database file, and a checkpoint that truncates the write-ahead
log removes the copies the log still held.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.store.migrations import migrate

log = logging.getLogger(__name__)
SCRUB_TRIES = 20


class Database:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        # Never echo SQL parameters (message text, hashes) into exceptions and logs.
        kwargs: dict[str, Any] = {"hide_parameters": True}
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                private_file(Path(parsed.database))
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

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

    def close(self) -> None:
        self.engine.dispose()


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
