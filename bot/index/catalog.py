"""Where index generations are published: the pointer to the one served, their
snapshots, and the lock that lets one writer at a time build and publish.

Two catalogs, one interface:

- ``FolderCatalog`` (the default, one machine): ``BOT_DATA_DIR/index/CURRENT``
  and a ``snapshot.json`` in each generation's folder (``IndexLayout``).
- ``DatabaseCatalog`` (replicas on a Chroma server): the same in the shared
  database (``bot/store/generations.py``), so every replica reads the one
  pointer and the one snapshot, and a fresh replica serves at once.

Each generation also keeps its guide signals (``bot/index/signals.py``): a
``signals.npz`` beside the folder snapshot, or parts beside the database one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from bot.errors import IndexError_
from bot.index.layout import SIGNALS_FILE, SNAPSHOT_FILE, IndexLayout
from bot.index.snapshot import Snapshot
from bot.store.generations import Generations

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexInfo:
    """What the editors' page shows of a published generation."""

    generation: str
    built_at: datetime  # UTC, naive like the store's times
    documents: int
    passages: int
    referrals: int
    languages: tuple[str, ...]


class Catalog(Protocol):
    where: str  # for messages: the folder, or "the shared database"

    def current(self) -> str | None: ...

    def snapshot(self, name: str) -> Snapshot: ...

    def info(self, name: str) -> IndexInfo: ...

    def create(self, embedder: str, embedder_key: str) -> str: ...

    def save(self, snapshot: Snapshot) -> None: ...

    def save_signals(self, name: str, blob: bytes) -> None: ...

    def signals(self, name: str) -> bytes | None: ...

    def publish(self, name: str) -> None: ...

    def writer_lock(self) -> AbstractContextManager[None]: ...

    def close(self) -> None: ...


class FolderCatalog:
    def __init__(self, layout: IndexLayout) -> None:
        self.layout = layout
        self.where = str(layout.root)

    def current(self) -> str | None:
        return self.layout.current()

    def snapshot(self, name: str) -> Snapshot:
        return Snapshot.read(self.layout.generation_dir(name))

    def info(self, name: str) -> IndexInfo:
        return _folder_info(self.layout.generation_dir(name))

    def create(self, embedder: str, embedder_key: str) -> str:
        name, _ = self.layout.new_generation()
        return name

    def save(self, snapshot: Snapshot) -> None:
        snapshot.write(self.layout.generation_dir(snapshot.generation))

    def save_signals(self, name: str, blob: bytes) -> None:
        (self.layout.generation_dir(name) / SIGNALS_FILE).write_bytes(blob)

    def signals(self, name: str) -> bytes | None:
        path = self.layout.generation_dir(name) / SIGNALS_FILE
        return path.read_bytes() if path.exists() else None

    def publish(self, name: str) -> None:
        self.layout.publish(name)

    def writer_lock(self) -> AbstractContextManager[None]:
        return self.layout.writer_lock()

    def close(self) -> None:
        pass


@lru_cache(maxsize=8)
def _folder_info(directory: Path) -> IndexInfo:
    # A published generation never changes, so its folder is a safe cache key.
    snapshot = Snapshot.read(directory)
    built = datetime.fromtimestamp((directory / SNAPSHOT_FILE).stat().st_mtime, UTC)
    return IndexInfo(snapshot.generation, built.replace(tzinfo=None), len(snapshot.documents),
                     len(snapshot.passages), len(snapshot.referrals),
                     tuple(sorted({d.lang for d in snapshot.documents})))


class DatabaseCatalog:
    def __init__(self, records: Generations, layout: IndexLayout) -> None:
        self.records = records
        self.layout = layout  # names new generations like the folder catalog does
        self.where = "the shared database"

    def current(self) -> str | None:
        try:
            return self.records.current()
        except IndexError_:
            raise
        except Exception as exc:  # noqa: BLE001 - unreachable, or not migrated yet
            raise IndexError_(f"cannot read the published index from the database: "
                              f"{type(exc).__name__}: {_first_line(exc)}") from exc

    def snapshot(self, name: str) -> Snapshot:
        try:
            return Snapshot.from_gzip(self.records.snapshot(name))
        except IndexError_:
            raise
        except Exception as exc:  # noqa: BLE001 - the database, gzip or JSON: one fault
            raise IndexError_(f"index generation {name} cannot be read from the database: "
                              f"{type(exc).__name__}: {_first_line(exc)}") from exc

    def info(self, name: str) -> IndexInfo:
        try:
            row = self.records.row(name)
        except Exception as exc:  # noqa: BLE001 - unreachable database
            raise IndexError_(f"cannot read the published index from the database: "
                              f"{type(exc).__name__}: {_first_line(exc)}") from exc
        if row is None:
            raise IndexError_(f"index generation {name} is not in the database")
        return IndexInfo(name, row.published_at or row.created_at, row.documents,
                         row.passages, row.referrals, row.languages)

    def create(self, embedder: str, embedder_key: str) -> str:
        name = self.layout.new_name()
        self.records.begin(name, embedder, embedder_key)
        return name

    def save(self, snapshot: Snapshot) -> None:
        self.records.save_snapshot(
            snapshot.generation, snapshot.to_gzip(), documents=len(snapshot.documents),
            passages=len(snapshot.passages), referrals=len(snapshot.referrals),
            languages=sorted({d.lang for d in snapshot.documents}))

    def save_signals(self, name: str, blob: bytes) -> None:
        self.records.save_signals(name, blob)

    def signals(self, name: str) -> bytes | None:
        try:
            return self.records.signals(name)
        except Exception as exc:  # noqa: BLE001 - served without them, and said so
            log.error("the guide signals of generation %s cannot be read: %s", name,
                      type(exc).__name__)
            return None

    def publish(self, name: str) -> None:
        self.records.publish(name)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        with self.records.writer_lock():
            yield

    def writer_lock(self) -> AbstractContextManager[None]:
        return self._lock()

    def close(self) -> None:
        self.records.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else ""
