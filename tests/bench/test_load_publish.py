"""`make load`'s index (bench/load/run.py): ingested once by ``bot ingest`` into a real
PostgreSQL and a real ``chroma run``, and served from there by a replica whose data
folder is empty, which embeds no passage and keeps no index of its own."""

from __future__ import annotations

from pathlib import Path

from bench.load.run import publish
from bot.index.embedders import Embedder
from bot.index.layout import COLLECTION_PREFIX
from bot.index.place import IndexPlace
from bot.index.view import load_view
from bot.store.generations import Generations, engine_for
from tests.chroma_process import ChromaProcess
from tests.conftest import FIXTURE_KNOWLEDGE, make_settings
from tests.databases import PostgresCluster


def test_one_ingest_serves_a_replica_with_an_empty_data_folder(
        tmp_path: Path, postgres: PostgresCluster, embedder: Embedder) -> None:
    url = postgres.create()
    chroma = ChromaProcess(tmp_path / "chroma").start()
    try:
        published = publish(url, chroma.url, FIXTURE_KNOWLEDGE, tmp_path / "ingest")
        generation = published["generation"]
        engine = engine_for(url)
        try:
            assert Generations(engine).current() == generation
        finally:
            engine.dispose()
        assert " passages from " in published["summary"]
        assert published["ingest_s"] > 0

        replica = tmp_path / "replica"
        replica.mkdir()
        settings = make_settings(FIXTURE_KNOWLEDGE, replica, database_url=url,
                                 chroma_url=chroma.url)
        place = IndexPlace.of(settings)
        assert place.server is not None
        assert COLLECTION_PREFIX + generation in place.server.collections(COLLECTION_PREFIX)
        view = load_view(place, embedder, "e5")
        try:
            assert view.generation == generation
            assert len(view.passages) > 0
            hits = view.store.query(embedder.embed_queries(["passport"])[0], 3)
            assert hits and {pid for pid, _ in hits} <= set(view.by_id)
        finally:
            view.close()
            place.close()
        assert not (replica / "index").exists()  # nothing of the index is kept locally
    finally:
        chroma.stop()
