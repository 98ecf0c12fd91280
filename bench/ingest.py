"""Ingest throughput beside the raw throughput of the embedding model, and the cached
index of the generated folder.

The raw rate is the ceiling: E5Embedder.embed_passages on the very texts
ingest embeds (Passage.embedding_text()), in batches of the size ingest uses.
Whatever ingest does besides embedding (reading, validating, chunking, the
vector cache, Chroma, the snapshot) shows as the gap between the two.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.corpus import GENERATOR_VERSION, generate
from bot.index.cache import EmbeddingCache, text_hash
from bot.index.embedders import Embedder
from bot.index.ingest import EMBED_BATCH, IngestReport, ingest
from bot.index.layout import IndexLayout
from bot.knowledge.chunker import split_passages
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import Passage

EMBEDDER = "e5"
BUILD_FILE = "build.json"
BUILD_FORMAT = "2"  # of build.json; part of the cache key
RAW_SAMPLE = 200  # passages of the generated folder timed through the bare model


def passages_of(knowledge_dir: Path) -> list[Passage]:
    knowledge = load_knowledge(knowledge_dir)
    return [p for d in knowledge.published for p in split_passages(d)]


def sample(passages: list[Passage], n: int = RAW_SAMPLE) -> list[Passage]:
    """``n`` passages spread evenly over the list (the same ones every run)."""
    return passages[:: max(1, len(passages) // n)][:n]


def raw_rate(embedder: Embedder, passages: list[Passage]) -> dict[str, Any]:
    """Passages per second of the bare model, batch by batch as ingest calls it."""
    texts = [p.embedding_text() for p in passages]
    started = time.perf_counter()
    for start in range(0, len(texts), EMBED_BATCH):
        embedder.embed_passages(texts[start : start + EMBED_BATCH])
    seconds = time.perf_counter() - started
    return {
        "passages": len(texts),
        "seconds": round(seconds, 2),
        "passages_per_s": round(len(texts) / seconds, 2),
    }


def combined(*parts: dict[str, Any]) -> dict[str, Any]:
    """One raw rate from several timed runs (e.g. before and after an ingest)."""
    passages = sum(p["passages"] for p in parts)
    seconds = sum(p["seconds"] for p in parts)
    return {
        "passages": passages,
        "seconds": round(seconds, 2),
        "passages_per_s": round(passages / seconds, 2),
        "parts_passages_per_s": [p["passages_per_s"] for p in parts],
    }


def ingest_figures(report: IngestReport) -> dict[str, Any]:
    """The numbers of an IngestReport (not its file lists), with the two rates."""
    figures = {k: v for k, v in asdict(report).items() if not isinstance(v, list)}
    figures["passages_per_s"] = round(report.passages / report.seconds, 2)
    if report.embedded and report.embed_seconds:
        figures["embed_passages_per_s"] = round(report.embedded / report.embed_seconds, 2)
    return figures


def cold_ingest(knowledge_dir: Path, data_dir: Path, embedder: Embedder) -> dict[str, Any]:
    """Ingest into a data folder that must not exist yet: every passage is embedded."""
    if data_dir.exists():
        raise RuntimeError(f"{data_dir} exists: a cold ingest needs a fresh data folder")
    report = ingest(knowledge_dir, data_dir, embedder, EMBEDDER, progress=sys.stderr.isatty())
    if report.embedded != report.passages:
        raise RuntimeError(f"cold ingest reused vectors: {report.summary()}")
    return ingest_figures(report)


@dataclass(frozen=True)
class CachedIndex:
    root: Path
    knowledge_dir: Path
    data_dir: Path
    build: dict[str, Any]  # ingest figures of the run that built it, and when
    reused: bool


def generated_index(starter: Path, cache: Path, embedder: Embedder) -> CachedIndex:
    """The generated folder and its index, built once per generator output and model.

    The folder is regenerated every time (seconds) and hashed, so a change of the
    generator or of the starter knowledge it recombines builds a new index.
    """
    cache.mkdir(parents=True, exist_ok=True)
    fresh = cache / "generated.tmp"
    shutil.rmtree(fresh, ignore_errors=True)  # left by an interrupted run
    made = generate(starter, fresh / "knowledge")
    key = text_hash(
        f"{GENERATOR_VERSION}\n{BUILD_FORMAT}\n{made.digest}\n{embedder.key}"
    )[:16]
    root = cache / f"generated-{key}"
    if (root / BUILD_FILE).is_file():
        shutil.rmtree(fresh)
        build = json.loads((root / BUILD_FILE).read_text(encoding="utf-8"))
        return CachedIndex(root, root / "knowledge", root / "data", build, reused=True)

    for old in cache.glob("generated-*"):  # other generator versions: never read again
        shutil.rmtree(old, ignore_errors=True)
    building = cache / f"generated-{key}.building"
    fresh.rename(building)
    # The model's raw rate is timed around the build, half before and half after, so
    # the ingest rate kept in the cache has a ceiling measured under the same load.
    timed = sample(passages_of(building / "knowledge"))
    before = raw_rate(embedder, timed[: len(timed) // 2])
    figures = cold_ingest(building / "knowledge", building / "data", embedder)
    raw = combined(before, raw_rate(embedder, timed[len(timed) // 2 :]))
    build = {
        "generator_version": GENERATOR_VERSION,
        "key": key,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "ingest": figures,
        "raw_at_build": raw,
    }
    (building / BUILD_FILE).write_text(json.dumps(build, indent=2), encoding="utf-8")
    building.rename(root)
    return CachedIndex(root, root / "knowledge", root / "data", build, reused=False)


def cached_vectors(
    data_dir: Path, embedder: Embedder, passages: list[Passage]
) -> list[np.ndarray]:
    """The vectors ingest stored for these passages, in their order."""
    store = EmbeddingCache(IndexLayout(data_dir).cache_file, embedder.key)
    try:
        hashes = [text_hash(p.embedding_text()) for p in passages]
        found = store.get_many(hashes)
    finally:
        store.close()
    missing = sum(h not in found for h in hashes)
    if missing:
        raise RuntimeError(f"{missing} passages have no cached vector in {data_dir}")
    return [found[h] for h in hashes]
