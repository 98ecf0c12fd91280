"""Where one index lives: its catalog (pointer, snapshots, writer lock) and its vectors.

    IndexPlace.local(data_dir)   the default: everything under BOT_DATA_DIR, embedded
                                 Chroma per generation; one serving process
    IndexPlace.of(settings)      the same, or with BOT_CHROMA_URL: vectors on the
                                 Chroma server, pointer and snapshots in the shared
                                 database (BOT_DATABASE_URL), for any number of replicas

Removing what is no longer served is done here too, under the writer lock:
embedded generations as ``IndexLayout.prune`` always did; on a server, a
generation ``BOT_INDEX_GRACE_SECONDS`` after it was replaced, a dead ingest's
leftovers at once, and a collection that no generation owns that long after it
was first seen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.config import Settings
from bot.errors import IndexBusy
from bot.index.catalog import Catalog, DatabaseCatalog, FolderCatalog
from bot.index.chroma_server import ChromaServer
from bot.index.chroma_store import ChromaStore
from bot.index.embedders import Embedder
from bot.index.layout import COLLECTION_PREFIX, IndexLayout
from bot.store.generations import Generations, engine_for
from bot.store.models import utcnow

log = logging.getLogger(__name__)

DEFAULT_GRACE_SECONDS = 600.0


@dataclass
class IndexPlace:
    layout: IndexLayout  # BOT_DATA_DIR: the embedding cache; embedded generations
    catalog: Catalog
    server: ChromaServer | None = None
    grace_seconds: float = DEFAULT_GRACE_SECONDS
    _closed: bool = field(default=False, repr=False)

    @classmethod
    def local(cls, data_dir: Path) -> IndexPlace:
        layout = IndexLayout(data_dir)
        return cls(layout, FolderCatalog(layout))

    @classmethod
    def of(cls, settings: Settings, *, migrate: bool = False) -> IndexPlace:
        """The place the settings name. ``migrate``: bring the shared database's tables
        up to date first (the ingest that writes them does)."""
        server = ChromaServer.of(settings)
        if server is None:
            return cls.local(settings.data_dir)
        if migrate:
            from bot.store import Database

            Database(settings.database).close()  # opening it migrates it
        layout = IndexLayout(settings.data_dir)
        catalog = DatabaseCatalog(Generations(engine_for(settings.database)), layout)
        return cls(layout, catalog, server, settings.index_grace_seconds)

    @property
    def shared(self) -> bool:
        return self.server is not None

    def open_store(self, name: str, embedder: Embedder, embedder_name: str, *,
                   create: bool) -> ChromaStore:
        """The vectors of generation ``name``: its folder, or its collection on the server."""
        metadata = {"generation": name, "created_at": utcnow().isoformat(timespec="seconds")}
        return ChromaStore.open(
            path=None if self.server else self.layout.chroma_dir(name),
            server=self.server,
            collection=self.layout.collection(name),
            embedder=embedder,
            embedder_name=embedder_name,
            create=create,
            metadata=metadata if create else None,
        )

    def prune(self) -> list[str]:
        """Remove what is no longer served (hold the writer lock). The names removed."""
        if not isinstance(self.catalog, DatabaseCatalog) or self.server is None:
            return self.layout.prune()
        records = self.catalog.records
        now = utcnow()
        due = now - timedelta(seconds=self.grace_seconds)
        current = records.current()
        rows = {r.name: r for r in records.rows()}
        for collection in self.server.collections(COLLECTION_PREFIX):
            name = collection[len(COLLECTION_PREFIX):]
            if name not in rows:
                log.info("collection %s on the Chroma server belongs to no index generation; "
                         "it goes in %.0f s unless one claims it", collection,
                         self.grace_seconds)
                records.notice_orphan(name)
        doomed = [
            r.name for r in rows.values()
            if r.name != current and (
                r.state == "building"  # its ingest died: we hold the lock
                or (r.retired_at is not None and r.retired_at <= due)
            )
        ]
        for name in doomed:
            self.server.drop(self.layout.collection(name))
            records.forget(name)
            log.info("removed index generation %s", name)
        return doomed

    def maintain(self) -> list[str]:
        """Prune if no ingest is running (a replica's periodic chore); [] when busy."""
        try:
            with self.catalog.writer_lock():
                return self.prune()
        except IndexBusy:
            return []

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.catalog.close()


def place_of(where: Path | IndexPlace) -> IndexPlace:
    """A data folder means the default, local place."""
    return where if isinstance(where, IndexPlace) else IndexPlace.local(where)

