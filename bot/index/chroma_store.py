"""Chroma adapter: the only module that imports ``chromadb``.

Embedded by default (one ``PersistentClient`` per index generation folder, owned
by one process), or a Chroma server when ``BOT_CHROMA_URL`` is set (its client:
``bot/index/chroma_server.py``, the other module that imports ``chromadb``). Vectors are
always computed by the project's embedder and passed in; the collection still
gets the project's embedding function, so Chroma never falls back to its own
(which downloads a model and fails offline).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.errors import IndexError_
from bot.index.chroma_server import ChromaServer, close_client
from bot.index.embedders import Embedder

# HNSW settings, applied when a collection is created. EF_SEARCH is the smallest value
# of 100-1600 whose recall@10 against exact search was >= 0.99 at 2k, 10k and 100k
# vectors, with and without the language filter every served query has (``make
# bench-hnsw``, chromadb 1.5.9, 2 cores, 200 real queries over real passage vectors
# mixed two at a time). Unfiltered / filtered to 'en' (17.5% of the vectors):
#   2k:   ef 100  0.990 / 1.000 (1.5 / 2.9 ms p50)
#   10k:  ef 400  0.995 / 1.000 (2.5 / 13.0 ms); ef 200: 0.975
#   100k: ef 1600 0.991 / 1.000 (10.7 / 99.0 ms); ef 800: 0.961 / 0.996;
#         ef 400: 0.898 / 0.989 (4.0 / 138.6 ms)
# ef_search changes neither the build time nor the memory; EF_CONSTRUCTION and M stay.
EF_SEARCH = 1600
EF_CONSTRUCTION = 200
MAX_NEIGHBORS = 16  # HNSW's M: Chroma's default

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _chroma() -> Any:
    import chromadb

    return chromadb


def _make_embedding_function(embedder: Embedder, embedder_name: str) -> Any:
    from chromadb.api.types import Documents, EmbeddingFunction
    from chromadb.api.types import Embeddings as ChromaEmbeddings

    class ProjectEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, inner: Embedder, name: str) -> None:
            self._inner = inner
            self._name = name

        def __call__(self, input: Documents) -> ChromaEmbeddings:  # noqa: A002 - chroma's name
            import numpy as np

            return [np.asarray(v, dtype="float32") for v in self._inner.embed_passages(input)]

        def embed_query(self, input: Documents) -> ChromaEmbeddings:  # noqa: A002
            import numpy as np

            return [np.asarray(v, dtype="float32") for v in self._inner.embed_queries(input)]

        @staticmethod
        def name() -> str:
            return "bot-project-embedder"

        def get_config(self) -> dict[str, Any]:
            return {"embedder": self._name}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> ProjectEmbeddingFunction:
            from bot.index.embedders import make_embedder

            return ProjectEmbeddingFunction(make_embedder(config["embedder"]), config["embedder"])

        def default_space(self) -> Any:
            return "cosine"

    return ProjectEmbeddingFunction(embedder, embedder_name)


def _settings() -> Any:
    return _chroma().Settings(anonymized_telemetry=False, allow_reset=False)


def _where(lang: str | None, doc_id: str | None) -> dict[str, Any] | None:
    """Chroma's filter syntax, kept here. No filter when nothing narrows the search: every
    indexed passage is published, and a filter that every vector passes still made Chroma
    check each one (231 ms a query at 100,000 vectors, against 3.5 ms with none)."""
    conditions: list[dict[str, Any]] = []
    if lang is not None:
        conditions.append({"lang": lang})
    if doc_id is not None:
        conditions.append({"doc_id": doc_id})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def passage_metadata(doc_id: str, lang: str) -> dict[str, str]:
    """What is stored beside a passage's vector: what ``query`` can filter on."""
    return {"doc_id": doc_id, "lang": lang, "status": "published"}


class ChromaStore:
    """One collection of passage vectors; similarity = 1 - cosine distance."""

    def __init__(self, client: Any, collection: Any, owns_client: bool) -> None:
        self._client = client
        self._collection = collection
        self._owns_client = owns_client
        self._count: int | None = None

    @classmethod
    def open(
        cls,
        *,
        path: Path | None,
        server: ChromaServer | None,
        collection: str,
        embedder: Embedder,
        embedder_name: str,
        create: bool,
        metadata: dict[str, str] | None = None,
        ef_search: int = EF_SEARCH,
        ef_construction: int = EF_CONSTRUCTION,
        max_neighbors: int = MAX_NEIGHBORS,
    ) -> ChromaStore:
        """A collection in the embedded folder ``path``, or on ``server``.

        The HNSW settings apply to a collection created here (``bench.hnsw`` builds one
        per ``ef_search``); an existing collection keeps those it was created with.
        """
        chromadb = _chroma()
        client = None
        try:
            if server is not None:
                client = server.client()
            else:
                assert path is not None
                client = chromadb.PersistentClient(path=str(path), settings=_settings())
            ef = _make_embedding_function(embedder, embedder_name)
            if create:
                coll = client.create_collection(
                    collection,
                    embedding_function=ef,
                    metadata=metadata or None,
                    configuration={
                        "hnsw": {
                            "space": "cosine",
                            "ef_search": ef_search,
                            "ef_construction": ef_construction,
                            "max_neighbors": max_neighbors,
                        }
                    },
                )
            else:
                coll = client.get_collection(collection, embedding_function=ef)
        except IndexError_:
            raise
        except Exception as exc:  # noqa: BLE001 - chroma raises many types; report one fault
            if client is not None:
                close_client(client)
            where = server.url if server is not None else path
            raise IndexError_(
                f"cannot open the Chroma collection {collection!r} at {where}: {exc}"
            ) from exc
        return cls(client, coll, owns_client=True)

    def add(
        self,
        ids: Sequence[str],
        vectors: Sequence[Any],
        metadatas: Sequence[dict[str, Any]],
        batch: int = 1000,
    ) -> None:
        import numpy as np

        for start in range(0, len(ids), batch):
            end = start + batch
            self._collection.add(
                ids=list(ids[start:end]),
                embeddings=np.asarray(vectors[start:end], dtype="float32"),
                metadatas=list(metadatas[start:end]),
            )
        self._count = None

    def count(self) -> int:
        """How many vectors the collection holds (asked once: a published one never changes)."""
        if self._count is None:
            self._count = int(self._collection.count())
        return self._count

    def vectors(self, ids: Sequence[str], batch: int = 1000) -> dict[str, Any]:
        """The stored vectors of these ids (those it holds), as float32 arrays."""
        import numpy as np

        found: dict[str, Any] = {}
        for start in range(0, len(ids), batch):
            res = self._collection.get(ids=list(ids[start : start + batch]),
                                       include=["embeddings"])
            for pid, vector in zip(res["ids"], res["embeddings"], strict=True):
                found[pid] = np.asarray(vector, dtype=np.float32)
        return found

    def query(
        self, vector: Sequence[float], k: int, *, lang: str | None = None,
        doc_id: str | None = None,
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest published passages, with their cosine similarity, best first.

        ``lang`` keeps passages in that language, ``doc_id`` those of one document.
        """
        k = min(k, self.count())
        if k <= 0:
            return []
        res = self._collection.query(
            query_embeddings=[list(vector)], n_results=k, where=_where(lang, doc_id),
            include=["distances"],
        )
        ids = res["ids"][0]
        distances = res["distances"][0]
        return [(pid, 1.0 - float(d)) for pid, d in zip(ids, distances, strict=True)]

    def hnsw(self) -> dict[str, Any]:
        """The HNSW settings the collection holds (``ef_search``, ``ef_construction``,
        ``max_neighbors``, ``space``...), as Chroma reports them back."""
        return dict(self._collection.configuration.get("hnsw") or {})

    def close(self) -> None:
        if self._owns_client:
            close_client(self._client)
