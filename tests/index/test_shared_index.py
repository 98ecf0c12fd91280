"""One published index for every replica: a real ``chroma run`` on loopback, the pointer and
the snapshots in the shared database (SQLite and a real PostgreSQL), the real model.

Each replica is what ``bot serve`` builds (``IndexPlace.of(settings)`` and an
``IndexWatcher``) with a data folder of its own, as on separate machines.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import IndexBusy
from bot.index.chroma_store import EF_SEARCH
from bot.index.embedders import Embedder
from bot.index.ingest import IngestReport, ingest
from bot.index.layout import COLLECTION_PREFIX
from bot.index.place import IndexPlace
from bot.index.view import IndexWatcher
from bot.retrieval.retriever import retrieve
from tests.index.conftest import Shared

DETAINED = "guides/en/detained.md"
OLD_CONSULATE = "You may ask the police to inform your consulate."
NEW_CONSULATE = "You may ask the police to telephone your consulate within one hour."
QUESTION = "Can the police telephone my consulate?"
GRACE = 4.0  # seconds (BOT_INDEX_GRACE_SECONDS is at least 30; shortened here)


class Counting:
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.key = inner.key
        self.passages = 0

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.passages += len(texts)
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        return self.inner.embed_queries(texts)


def publish(settings: Settings, embedder: Embedder, **kw: object) -> IngestReport:
    """``bot ingest`` as a job with the given settings (its own data folder)."""
    place = IndexPlace.of(settings, migrate=True)
    try:
        return ingest(settings.knowledge_dir, place, embedder, "e5", progress=False, **kw)
    finally:
        place.close()


@contextmanager
def replica(settings: Settings, embedder: Embedder, *,
            watch: bool = True) -> Iterator[IndexWatcher]:
    watcher = IndexWatcher(IndexPlace.of(settings), embedder, "e5",
                           interval=settings.reload_interval)
    watcher.refresh()
    if watch:
        watcher.start()
    try:
        yield watcher
    finally:
        watcher.stop()


def wait_for(watcher: IndexWatcher, generation: str | None, seconds: float = 20.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if watcher.ready and watcher.view.generation == generation:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"still serving {watcher.view.generation if watcher.ready else None}, "
                         f"not {generation}: {watcher.last_error}")


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def best_passage(watcher: IndexWatcher, embedder: Embedder) -> str:
    return retrieve(watcher.view, embedder, QUESTION).hits[0].passage.text


def test_every_replica_switches_to_a_generation_published_anywhere(
    shared: Shared, embedder: Embedder
) -> None:
    first = publish(shared.settings("job-1"), embedder)
    with replica(shared.settings("a"), embedder) as a, \
            replica(shared.settings("b"), embedder) as b:
        assert a.view.generation == b.view.generation == first.generation
        assert OLD_CONSULATE in best_passage(a, embedder)

        # A later run from an empty data folder (a new job, another replica's page):
        # only the edited section is embedded; the rest comes from the served collection.
        edit(shared.knowledge, DETAINED, OLD_CONSULATE, NEW_CONSULATE)
        counting = Counting(embedder)
        second = publish(shared.settings("job-2"), counting)
        assert second.updated == [DETAINED]
        assert second.embedded == 1
        # Besides it, only each guide's topics (a guide signal, bot/index/signals.py), which
        # a job with an empty data folder has no cache for.
        assert counting.passages <= 1 + second.documents
        assert second.reused == second.passages - 1

        interval = shared.settings("a").reload_interval
        for served in (a, b):
            waited = wait_for(served, second.generation)
            assert waited < interval + 10  # noticed within the interval, then loaded
            assert NEW_CONSULATE in best_passage(served, embedder)
        # Nothing of the index went to the replicas' or the jobs' data folders.
        for name in ("a", "b", "job-1", "job-2"):
            assert not (shared.root / name / "index").exists()


def test_a_new_replica_serves_the_current_generation_without_embedding(
    shared: Shared, embedder: Embedder
) -> None:
    published = publish(shared.settings("job"), embedder)
    counting = Counting(embedder)
    started = time.monotonic()
    with replica(shared.settings("fresh"), counting, watch=False) as fresh:
        assert fresh.ready, fresh.last_error
        assert time.monotonic() - started < 30
        assert fresh.view.generation == published.generation
        assert len(fresh.view.passages) == published.passages
        assert {r for r in fresh.view.referrals} >= {"embassy-finder"}
        assert fresh.view.lexical.search("consulate", 3)  # the lexical index is there too
        assert fresh.view.store.hnsw()["ef_search"] == EF_SEARCH  # kept by the server
        assert counting.passages == 0


def test_a_replica_is_not_ready_until_a_generation_is_published_then_switches(
    shared: Shared, embedder: Embedder
) -> None:
    # An empty database (not even migrated): the replica says why and keeps trying.
    with replica(shared.settings("early"), embedder) as early:
        assert not early.ready
        assert early.last_error and "database" in early.last_error
        report = publish(shared.settings("job"), embedder)
        wait_for(early, report.generation)
        assert early.last_error is None


def test_old_generations_and_orphan_collections_go_after_the_grace_period(
    shared: Shared, embedder: Embedder
) -> None:
    settings = shared.settings("job")
    first = publish(settings, embedder)
    second = publish(settings, embedder, force=True)
    place = IndexPlace.of(settings)
    place.grace_seconds = GRACE
    assert place.server is not None
    try:
        # A dead ingest's half-built generation, and a collection nobody registered.
        with place.catalog.writer_lock():
            dead = place.catalog.create("e5", embedder.key)
            place.open_store(dead, embedder, "e5", create=True).close()
        stray = COLLECTION_PREFIX + "g20000101T000000000000Z-stray"
        client = place.server.client()
        client.create_collection(stray)
        client.close()

        def collections() -> set[str]:
            assert place.server is not None
            return set(place.server.collections(COLLECTION_PREFIX))

        assert place.maintain() == [dead]  # its ingest is gone: removed at once
        # The replaced generation and the stray collection wait for the grace period ...
        assert collections() == {COLLECTION_PREFIX + n
                                 for n in (first.generation, second.generation)} | {stray}
        time.sleep(GRACE + 0.5)
        # ... then go; the served one stays.
        removed = place.maintain()
        assert sorted(removed) == sorted([first.generation, stray[len(COLLECTION_PREFIX):]])
        assert collections() == {COLLECTION_PREFIX + str(second.generation)}
        assert place.catalog.current() == second.generation
    finally:
        place.close()
    with replica(shared.settings("a"), embedder, watch=False) as a:
        assert a.view.generation == second.generation


def test_one_ingest_at_a_time_across_replicas(shared: Shared, embedder: Embedder) -> None:
    holder = IndexPlace.of(shared.settings("a"), migrate=True)
    try:
        with holder.catalog.writer_lock():
            with pytest.raises(IndexBusy):
                publish(shared.settings("b"), embedder)
        assert publish(shared.settings("b"), embedder).generation is not None
    finally:
        holder.close()


HOLD_THE_LOCK = """
import sys, time
from bot.config import Settings
from bot.index.place import IndexPlace
place = IndexPlace.of(Settings(_env_file=None, data_dir=sys.argv[1], chroma_url=sys.argv[2],
                               chroma_database=sys.argv[3], database_url=sys.argv[4]))
with place.catalog.writer_lock():
    print("locked", flush=True)
    time.sleep(600)
"""


def test_a_killed_ingest_does_not_keep_the_lock(shared: Shared, embedder: Embedder) -> None:
    IndexPlace.of(shared.settings("setup"), migrate=True).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(shared.root / "holder"), shared.chroma_url,
         shared.chroma_database, shared.database_url],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusy):
            publish(shared.settings("b"), embedder)
    finally:
        holder.kill()
        holder.wait(10)
    deadline = time.monotonic() + 20
    while True:  # the server notices the closed connection
        try:
            assert publish(shared.settings("b"), embedder).generation is not None
            break
        except IndexBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_lost_collection_is_published_again_by_the_next_ingest(
    shared: Shared, embedder: Embedder
) -> None:
    settings = shared.settings("job")
    first = publish(settings, embedder)
    place = IndexPlace.of(settings)
    try:
        assert place.server is not None
        # A restored database beside a new, empty Chroma volume: the pointer names a
        # collection that is gone. The replica says so instead of serving.
        place.server.drop(COLLECTION_PREFIX + str(first.generation))
    finally:
        place.close()
    with replica(shared.settings("a"), embedder) as a:
        assert not a.ready and a.last_error and str(first.generation) in a.last_error
        # Nothing changed in knowledge/, yet the job publishes again, from its own
        # embedding cache (the job's volume) without embedding anything.
        again = publish(settings, embedder)
        assert again.generation != first.generation and again.embedded == 0
        wait_for(a, again.generation)


def test_a_reindex_from_one_replicas_page_moves_every_replica(
    shared: Shared, embedder: Embedder
) -> None:
    from bot.app.reindex import Reindexer

    publish(shared.settings("job"), embedder)
    with replica(shared.settings("b"), embedder) as b:
        edit(shared.knowledge, DETAINED, OLD_CONSULATE, NEW_CONSULATE)
        job, started = Reindexer(shared.settings("a")).start("editor")  # replica a's page
        assert started
        deadline = time.monotonic() + 300
        while job.state == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert job.state == "succeeded", job.output
        wait_for(b, job.generation)
        assert NEW_CONSULATE in best_passage(b, embedder)
