"""Where an index lives on disk, and how a new one is published atomically.

    BOT_DATA_DIR/
      embeddings.sqlite3          passage vectors by (model, text hash)
      index/
        CURRENT                   name of the generation being served
        ingest.lock               held by the one process that is ingesting
        g20261129T221100Z-1a2b/   one generation: snapshot.json + chroma/

With ``BOT_CHROMA_URL`` a generation's vectors are a collection on the Chroma
server instead, named by :meth:`IndexLayout.collection`, and the pointer and the
snapshots live in the shared database (``bot/index/catalog.py``); the data
folder then keeps only the embedding cache.

``bot ingest`` builds a complete new generation beside the served one and then
replaces ``CURRENT`` with ``os.replace`` (atomic on POSIX). A running service
notices the new name and switches; an interrupted ingest leaves ``CURRENT``
pointing at the previous, complete generation. No two processes ever open the
same embedded Chroma folder for writing.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import IndexBusy

SNAPSHOT_FILE = "snapshot.json"
SIGNALS_FILE = "signals.npz"  # guide-level vectors (bot/index/signals.py)
KEEP_GENERATIONS = 2
COLLECTION_PREFIX = "passages-"


class IndexLayout:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.root = data_dir / "index"
        self.pointer = self.root / "CURRENT"
        self.lock_file = self.root / "ingest.lock"
        self.cache_file = data_dir / "embeddings.sqlite3"

    def current(self) -> str | None:
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def generation_dir(self, name: str) -> Path:
        return self.root / name

    def chroma_dir(self, name: str) -> Path:
        """The embedded Chroma folder of a generation (unused with a Chroma server)."""
        return self.generation_dir(name) / "chroma"

    @staticmethod
    def collection(name: str) -> str:
        """The Chroma collection that holds a generation's passage vectors."""
        return COLLECTION_PREFIX + name

    @staticmethod
    def new_name() -> str:
        """A new generation's name: sorts by time of creation, unique across machines."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return f"g{stamp}-{secrets.token_hex(4)}"

    def new_generation(self) -> tuple[str, Path]:
        name = self.new_name()
        path = self.generation_dir(name)
        path.mkdir(parents=True)
        return name, path

    def publish(self, name: str) -> None:
        tmp = self.pointer.with_suffix(f".tmp-{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def generations(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name.startswith("g"))

    def prune(self, keep: int = KEEP_GENERATIONS) -> list[str]:
        """Delete old generations; the served one and the one before it stay.

        The one before stays because a service may still be finishing requests on
        it in the seconds before it notices the switch.
        """
        current = self.current()
        names = self.generations()
        if current in names:
            # Everything newer than CURRENT is an unfinished ingest: remove it too.
            older = names[: names.index(current)]
            unfinished = names[names.index(current) + 1 :]
            doomed = older[: max(0, len(older) - (keep - 1))] + unfinished
        else:
            doomed = []
        for name in doomed:
            shutil.rmtree(self.generation_dir(name), ignore_errors=True)
        return doomed

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise IndexBusy(
                    f"another process is ingesting into {self.root}; wait for it to finish"
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
