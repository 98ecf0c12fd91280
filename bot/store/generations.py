"""The published knowledge index's records in the shared database (issue 17).

Which generation every replica serves (``index_pointer``), each generation's
state and gzipped snapshot (``index_generations``, ``index_snapshot_parts``),
and the writer lock that lets one ingest at a time, on any replica, build and
publish: a PostgreSQL advisory lock held on a connection of its own, or, on
SQLite (one machine), a file lock beside the database file. Both are released
by the operating system or the server when their process dies, so a killed
ingest never blocks the next one.

Snapshots are bytes here; what they hold is ``bot/index``'s business.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import IndexBusy, IndexError_
from bot.store.models import IndexGeneration, IndexPointer, IndexSnapshotPart, utcnow

PART_BYTES = 4 * 1024 * 1024
SLOT = "current"
# pg_advisory_lock key of the index writer: the first 8 bytes of sha256(b"bot:index-writer").
WRITER_LOCK_KEY = 0x5CE206EDB2D387F3


@dataclass(frozen=True)
class GenerationRow:
    name: str
    state: str  # building | published | retired | orphan
    embedder: str | None
    embedder_key: str | None
    documents: int
    passages: int
    referrals: int
    languages: tuple[str, ...]
    created_at: datetime
    published_at: datetime | None
    retired_at: datetime | None

    @classmethod
    def of(cls, row: IndexGeneration) -> GenerationRow:
        return cls(row.name, row.state, row.embedder, row.embedder_key, row.documents,
                   row.passages, row.referrals, tuple(row.languages.split()),
                   row.created_at, row.published_at, row.retired_at)


def engine_for(url: str) -> Engine:
    """An engine for these records alone: no migration, a small pool, no echoed values."""
    kwargs: dict[str, Any] = {"hide_parameters": True}
    if make_url(url).get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs.update(pool_pre_ping=True, pool_size=2, max_overflow=2)
    return create_engine(url, **kwargs)


class Generations:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions() as s, s.begin():
            yield s

    def current(self) -> str | None:
        with self._session() as s:
            return s.scalar(select(IndexPointer.generation).where(IndexPointer.slot == SLOT))

    def row(self, name: str) -> GenerationRow | None:
        with self._session() as s:
            found = s.get(IndexGeneration, name)
            return GenerationRow.of(found) if found is not None else None

    def rows(self) -> list[GenerationRow]:
        with self._session() as s:
            found = s.scalars(select(IndexGeneration).order_by(IndexGeneration.name))
            return [GenerationRow.of(r) for r in found]

    def begin(self, name: str, embedder: str, embedder_key: str) -> None:
        """Register a generation that is being built."""
        with self._session() as s:
            s.add(IndexGeneration(name=name, state="building", embedder=embedder,
                                  embedder_key=embedder_key, documents=0, passages=0,
                                  referrals=0, languages="", snapshot_bytes=0))

    def save_snapshot(self, name: str, data: bytes, *, documents: int, passages: int,
                      referrals: int, languages: list[str]) -> None:
        """Store a generation's snapshot (gzipped bytes), replacing any earlier one."""
        with self._session() as s:
            s.execute(delete(IndexSnapshotPart).where(IndexSnapshotPart.generation == name,
                                                      IndexSnapshotPart.part >= 0))
            for part, start in enumerate(range(0, max(len(data), 1), PART_BYTES)):
                s.add(IndexSnapshotPart(generation=name, part=part,
                                        data=data[start : start + PART_BYTES]))
            s.execute(update(IndexGeneration).where(IndexGeneration.name == name).values(
                snapshot_sha256=hashlib.sha256(data).hexdigest(), snapshot_bytes=len(data),
                documents=documents, passages=passages, referrals=referrals,
                languages=" ".join(sorted(languages))))

    def snapshot(self, name: str) -> bytes:
        """A generation's snapshot, checked against the digest stored with it."""
        with self._session() as s:
            row = s.get(IndexGeneration, name)
            parts = s.scalars(select(IndexSnapshotPart.data)
                              .where(IndexSnapshotPart.generation == name,
                                     IndexSnapshotPart.part >= 0)
                              .order_by(IndexSnapshotPart.part)).all()
        if row is None or row.snapshot_sha256 is None:
            raise IndexError_(f"index generation {name} has no snapshot in the database")
        data = b"".join(parts)
        if hashlib.sha256(data).hexdigest() != row.snapshot_sha256:
            raise IndexError_(f"the snapshot of index generation {name} is damaged "
                              f"(its digest does not match): run `bot ingest --force`")
        return data

    # The guide signals (bot/index/signals.py) sit beside the snapshot, as parts numbered
    # -1, -2, ... so that the snapshot's own parts (0, 1, ...) are read without them.

    def save_signals(self, name: str, data: bytes) -> None:
        with self._session() as s:
            s.execute(delete(IndexSnapshotPart).where(IndexSnapshotPart.generation == name,
                                                      IndexSnapshotPart.part < 0))
            for i, start in enumerate(range(0, max(len(data), 1), PART_BYTES)):
                s.add(IndexSnapshotPart(generation=name, part=-1 - i,
                                        data=data[start : start + PART_BYTES]))

    def signals(self, name: str) -> bytes | None:
        with self._session() as s:
            parts = s.scalars(select(IndexSnapshotPart.data)
                              .where(IndexSnapshotPart.generation == name,
                                     IndexSnapshotPart.part < 0)
                              .order_by(IndexSnapshotPart.part.desc())).all()
        return b"".join(parts) if parts else None

    def publish(self, name: str) -> None:
        """Serve ``name`` from now on; the generation served until now is retired."""
        now = utcnow()
        with self._session() as s:
            row = s.get(IndexGeneration, name)
            if row is None or row.snapshot_sha256 is None:
                raise IndexError_(f"index generation {name} is not complete: not published")
            s.execute(update(IndexGeneration)
                      .where(IndexGeneration.state == "published", IndexGeneration.name != name)
                      .values(state="retired", retired_at=now))
            row.state, row.published_at, row.retired_at = "published", now, None
            pointer = s.get(IndexPointer, SLOT)
            if pointer is None:
                s.add(IndexPointer(slot=SLOT, generation=name, switched_at=now))
            else:
                pointer.generation, pointer.switched_at = name, now

    def notice_orphan(self, name: str) -> None:
        """A collection no generation owns: remember when it was first seen."""
        with self._session() as s:
            if s.get(IndexGeneration, name) is None:
                s.add(IndexGeneration(name=name, state="orphan", documents=0, passages=0,
                                      referrals=0, languages="", snapshot_bytes=0,
                                      retired_at=utcnow()))

    def forget(self, name: str) -> None:
        """Delete a generation's records (never the one served)."""
        with self._session() as s:
            if s.scalar(select(IndexPointer.generation).where(IndexPointer.slot == SLOT)) \
                    == name:
                raise IndexError_(f"index generation {name} is served: not deleted")
            s.execute(delete(IndexSnapshotPart).where(IndexSnapshotPart.generation == name))
            s.execute(delete(IndexGeneration).where(IndexGeneration.name == name))

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the index writer lock, or raise ``IndexBusy`` at once if another holds it."""
        url = self.engine.url
        if url.get_backend_name() == "postgresql":
            with self._advisory_lock():
                yield
        elif url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            with _file_lock(Path(f"{url.database}.index-writer.lock")):
                yield
        else:
            raise IndexError_(f"no index writer lock for a {url.get_backend_name()} database")

    @contextmanager
    def _advisory_lock(self) -> Iterator[None]:
        with self.engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"),
                               {"key": WRITER_LOCK_KEY}).scalar()
            conn.commit()  # the lock is the session's; no transaction stays open for hours
            if not got:
                raise IndexBusy("another process is ingesting into the shared index; "
                                "wait for it to finish")
            try:
                yield
            finally:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"),
                                 {"key": WRITER_LOCK_KEY})
                    conn.commit()
                except Exception:  # noqa: BLE001 - a broken connection has dropped the lock
                    conn.invalidate()

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusy(f"another process is ingesting (it holds {path}); "
                            "wait for it to finish") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
