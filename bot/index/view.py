"""The served index: one loaded generation, and a watcher that switches to newer ones.

The service owns its view of the index. ``bot ingest`` (another process, or
another replica) never touches what the service reads: it publishes a new
generation and the ``IndexWatcher`` here notices within ``reload_interval``
seconds (in the data folder, or in the shared database for replicas on a
Chroma server), loads it beside the old one, and swaps a single reference.
Requests already running finish on the view they started with.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.errors import IndexError_, IndexNotBuilt
from bot.index.chroma_store import ChromaStore
from bot.index.embedders import Embedder
from bot.index.lexical import BM25Index
from bot.index.place import IndexPlace, place_of
from bot.index.signals import Signals
from bot.index.snapshot import DocInfo
from bot.knowledge.models import Passage, Referral

log = logging.getLogger(__name__)

MAINTAIN_EVERY = 60.0  # seconds between a replica's attempts to remove unserved generations


@dataclass
class IndexView:
    generation: str
    passages: list[Passage]
    by_id: dict[str, int]
    by_position: dict[tuple[str, str, int], int]  # (doc_id, lang, position) -> index
    documents: dict[tuple[str, str], DocInfo]  # (doc_id, lang)
    referrals: dict[str, Referral]
    store: ChromaStore
    lexical: BM25Index
    signals: Signals | None = None  # guide-level vectors (issue 15); None in older generations

    def translation(self, passage: Passage, lang: str) -> Passage | None:
        """The same section of the document in another language, if it exists.

        Translations keep the document's id and its sections in the same order.
        """
        if (passage.doc_id, lang) not in self.documents:
            return None
        idx = self.by_position.get((passage.doc_id, lang, passage.position))
        return self.passages[idx] if idx is not None else None

    @cached_property
    def passages_by_lang(self) -> Counter[str]:
        """How many passages each language has: counted once per generation."""
        return Counter(p.lang for p in self.passages)

    def doc(self, passage: Passage) -> DocInfo:
        return self.documents[(passage.doc_id, passage.lang)]

    def close(self) -> None:
        self.store.close()


def load_view(
    where: Path | IndexPlace,
    embedder: Embedder,
    embedder_name: str,
    generation: str | None = None,
) -> IndexView:
    place = place_of(where)
    name = generation or place.catalog.current()
    if name is None:
        raise IndexNotBuilt(f"no index in {place.catalog.where}: run `bot ingest` first")
    try:
        snapshot = place.catalog.snapshot(name)
    except (OSError, ValueError) as exc:
        raise IndexError_(f"index generation {name} cannot be read: {exc}") from exc
    if snapshot.embedder_key != embedder.key:
        raise IndexError_(
            f"the index was built with {snapshot.embedder!r} but the service uses "
            f"{embedder_name!r}: run `bot ingest` with the same BOT_EMBEDDER"
        )
    store = place.open_store(name, embedder, embedder_name, create=False)
    passages = snapshot.passages
    return IndexView(
        generation=name,
        passages=passages,
        by_id={p.id: i for i, p in enumerate(passages)},
        by_position={(p.doc_id, p.lang, p.position): i for i, p in enumerate(passages)},
        documents={(d.doc_id, d.lang): d for d in snapshot.documents},
        referrals={r.id: r for r in snapshot.referrals},
        store=store,
        lexical=BM25Index([p.embedding_text() for p in passages]),
        signals=Signals.from_bytes(place.catalog.signals(name), name, len(passages)),
    )


class IndexWatcher:
    """Holds the current view; a daemon thread switches to newly published generations.

    On a Chroma server the same thread removes, now and then, what no replica
    serves any more (``IndexPlace.maintain``), when no ingest is running.
    """

    def __init__(
        self,
        where: Path | IndexPlace,
        embedder: Embedder,
        embedder_name: str,
        interval: float = 2.0,
        maintain_every: float = MAINTAIN_EVERY,
    ) -> None:
        self.place = place_of(where)
        self._embedder = embedder
        self._embedder_name = embedder_name
        self._interval = interval
        self._maintain_every = maintain_every
        self._maintained = time.monotonic()
        self._view: IndexView | None = None
        self._retired: list[tuple[float, IndexView]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    @property
    def view(self) -> IndexView:
        view = self._view
        if view is None:
            raise IndexNotBuilt(self.last_error or "the index is not loaded yet")
        return view

    @property
    def ready(self) -> bool:
        return self._view is not None

    def refresh(self) -> bool:
        """Load the published generation if it is not the one served. True if switched."""
        try:
            name = self.place.catalog.current()
        except IndexError_ as exc:
            self.last_error = str(exc)
            log.error("%s", exc)
            return False
        current = self._view
        if name is None:
            self.last_error = f"no index in {self.place.catalog.where}: run `bot ingest` first"
            return False
        if current is not None and current.generation == name:
            return False
        try:
            fresh = load_view(self.place, self._embedder, self._embedder_name, name)
        except IndexError_ as exc:
            self.last_error = str(exc)
            log.error("cannot switch to index %s: %s", name, exc)
            return False
        with self._lock:
            old, self._view = self._view, fresh
            if old is not None:
                self._retired.append((time.monotonic(), old))
        self.last_error = None
        log.info("now serving index generation %s", name)
        self._close_retired()
        return True

    def _close_retired(self, grace: float = 30.0) -> None:
        # Requests that began on an old view may still be running: close it later.
        now = time.monotonic()
        with self._lock:
            due = [v for t, v in self._retired if now - t >= grace]
            self._retired = [(t, v) for t, v in self._retired if now - t < grace]
        for view in due:
            view.close()

    def _maintain(self) -> None:
        if not self.place.shared or time.monotonic() - self._maintained < self._maintain_every:
            return
        self._maintained = time.monotonic()
        removed = self.place.maintain()
        if removed:
            log.info("removed %d index generation(s) no replica serves: %s", len(removed),
                     ", ".join(removed))

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.refresh()
                self._close_retired()
                self._maintain()
            except Exception:  # noqa: BLE001 - the watcher must outlive one bad generation
                log.exception("index watcher failed; will retry")

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="index-watcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            views = [v for _, v in self._retired]
            if self._view is not None:
                views.append(self._view)
            self._retired, self._view = [], None
        for view in views:
            view.close()
        self.place.close()
