"""One service per SQLite file: a second ``bot serve`` on the same file refuses to start.

SQLite is the one-process default. Two services on one file would each believe
they own the rows left half done (they take them back at start) and would count
rate limits apart; replicas need PostgreSQL. The guard is a POSIX record lock on
``<database>.serving``, held while the service runs and released by the kernel
when the process ends, however it ends. Short commands (``bot users``,
``bot purge``) do not take it: they may run beside the service.

POSIX locks belong to the process, so the app and tests in one process may open
the same file several times; the lock is taken once and counted.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from bot.errors import ConfigError


class DatabaseInUse(ConfigError):
    """Another process serves from this SQLite file."""


_held: dict[Path, tuple[int, int]] = {}  # lock file -> (descriptor, how many holders)
_guard = threading.Lock()


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".serving")


def acquire(database: Path) -> Path:
    """Hold the file for this process's service; raise ``DatabaseInUse`` when another has it."""
    path = lock_path(database.resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    with _guard:
        if path in _held:
            fd, count = _held[path]
            _held[path] = (fd, count + 1)
            return path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            other = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise DatabaseInUse(
                f"the SQLite database {database} is already served by process {other}. "
                "SQLite serves one process: stop the other `bot serve`, or set "
                "BOT_DATABASE_URL to a PostgreSQL database to run several replicas."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        _held[path] = (fd, 1)
        return path


def release(path: Path) -> None:
    with _guard:
        if path not in _held:
            return
        fd, count = _held[path]
        if count > 1:
            _held[path] = (fd, count - 1)
            return
        del _held[path]
        os.close(fd)  # closing the descriptor releases the lock
