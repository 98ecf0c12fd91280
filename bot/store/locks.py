"""Locks between the processes that share one database (issue 17).

PostgreSQL: advisory locks, keyed by a 64-bit hash of a name such as
``"migrate"`` or ``"rate:<sender>"``. A transaction lock (``hold_in``) ends with
its transaction; a session lock (``Database.lock``) ends when it is released or
when its connection closes, so a killed replica never leaves one behind.

SQLite serves one process (``guard.py`` refuses a second service), so a lock in
this process is enough there: a ``threading.Lock`` per name. Migrations, which a
short command (``bot users``) may run beside the service, take a file lock
(``file_lock``) beside the database file instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

_local: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


def key_of(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL's advisory locks take a bigint)."""
    digest = hashlib.blake2b(f"bot:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def local_lock(name: str) -> threading.Lock:
    """This process's lock for ``name`` (what stands in for an advisory lock on SQLite)."""
    with _local_guard:
        return _local.setdefault(name, threading.Lock())


def hold_in(conn: Connection | Session, name: str) -> None:
    """Take PostgreSQL's advisory lock ``name`` until the current transaction ends."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key_of(name)})


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (created if missing), across processes and threads."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
