"""What a newcomer would write: LangChain's Chroma wrapper, the same model, top-5 similarity.

No validation, no lexical search, no language or country preference, no answer
composition: the cheapest retrieval that could stand behind a chatbot, run in
this process. Built in a folder of its own, never in the project's index.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from langchain_chroma import Chroma

from bench.timing import WARM_UP_TEXT, Latency, forget_queries, summarize
from bot.evaluation.questions import EvalQuestion
from bot.index.embedders import Embedder
from bot.index.embedders.langchain import LangChainEmbeddings
from bot.knowledge.models import Passage

COLLECTION = "baseline"
K = 5
ADD_BATCH = 1000


def _metadata(p: Passage) -> dict[str, str]:
    return {"doc_id": p.doc_id, "lang": p.lang}


class Baseline:
    def __init__(self, path: Path, embedder: Embedder) -> None:
        self.embedder = embedder
        self._client = chromadb.PersistentClient(
            path=str(path), settings=chromadb.Settings(anonymized_telemetry=False)
        )
        self.store = Chroma(
            collection_name=COLLECTION,
            embedding_function=LangChainEmbeddings(embedder),
            client=self._client,
            collection_metadata={"hnsw:space": "cosine"},
        )

    def add_texts(self, passages: Sequence[Passage]) -> float:
        """Embed and add, as the tutorial does. Returns the seconds it took."""
        started = time.perf_counter()
        self.store.add_texts(
            [p.embedding_text() for p in passages],
            metadatas=[_metadata(p) for p in passages],
            ids=[p.id for p in passages],
        )
        return time.perf_counter() - started

    def add_vectors(self, passages: Sequence[Passage], vectors: Sequence[Any]) -> None:
        """Add vectors computed before (the generated folder's), so nothing is embedded twice."""
        collection = self.store._collection  # langchain-chroma's handle on the collection
        for start in range(0, len(passages), ADD_BATCH):
            chunk = passages[start : start + ADD_BATCH]
            collection.add(
                ids=[p.id for p in chunk],
                embeddings=np.asarray(vectors[start : start + ADD_BATCH], dtype=np.float32),
                documents=[p.embedding_text() for p in chunk],
                metadatas=[_metadata(p) for p in chunk],
            )

    def documents(self, question: str, k: int = K) -> list[str]:
        """Document ids of the top-k passages, best first, each once."""
        found = self.store.similarity_search(question, k=k)
        return list(dict.fromkeys(str(d.metadata["doc_id"]) for d in found))

    def close(self) -> None:
        close = getattr(self._client, "close", None)
        if close is not None:
            close()


def latency(baseline: Baseline, questions: Sequence[str], budget_s: float) -> Latency:
    """Per-query latency of top-5 similarity search, over at most ``budget_s`` seconds."""
    forget_queries(baseline.embedder)
    baseline.documents(WARM_UP_TEXT)
    timings: list[float] = []
    deadline = time.monotonic() + budget_s
    for q in questions:
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        baseline.documents(q)
        timings.append(time.perf_counter() - started)
    return summarize(timings)


def recall(
    baseline: Baseline, questions: Sequence[EvalQuestion], budget_s: float, k: int = K
) -> dict[str, Any]:
    """Share of answerable questions with an expected document among the top-k passages.

    Also with the top 5 *distinct* documents out of 20 passages, which is what the
    project's recall@5 counts, so the two can be compared like for like. Questions
    not reached within ``budget_s`` seconds are left out of both.
    """
    forget_queries(baseline.embedder)
    hits = hits_docs = n = 0
    deadline = time.monotonic() + budget_s
    for q in questions:
        if time.monotonic() > deadline:
            break
        expected = set(q.expect_docs)
        hits += bool(expected & set(baseline.documents(q.question, k)))
        hits_docs += bool(expected & set(baseline.documents(q.question, 20)[:5]))
        n += 1
    return {
        "answerable": n,
        "recall@5": round(hits / n, 3) if n else None,
        "recall@5_distinct_docs": round(hits_docs / n, 3) if n else None,
    }
