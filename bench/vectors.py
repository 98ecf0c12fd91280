"""100,000 vectors: the project's Chroma index against the baseline's, side by side.

    .venv/bin/python -m bench.vectors [--vectors 100000] [--queries 200] [--json]

Embedding 100,000 real passages takes about seven hours on 2 cores, so the
corpus is made from real ones: a pool of real passage vectors of the generated
guides (``--pool``, embedded once, a slice per run, and kept in
``bench/.cache/scale/vectors.sqlite3``) is mixed two at a time with a little
noise into ``--vectors`` unit vectors that sit where real passages sit. The
queries are the real query vectors of the evaluation questions. Exact search
(numpy, every vector) gives the true nearest ten of each query.

Each side then runs in a process of its own, one after the other (peak memory
is the process's): the baseline (LangChain's Chroma wrapper, Chroma's default
HNSW settings) and the project (``ChromaStore``: cosine, ``EF_CONSTRUCTION``,
``EF_SEARCH``). Each adds every vector, then times each query and measures
recall@10 against exact search. ``bench.hnsw`` chooses ``ef_search`` by recall.
Figures go to stdout (a table, or --json) and ``bench/.cache/vectors.json``.

First run (chromadb 1.5.9, 2 cores, 100,000 vectors): the project's query, then
filtered on ``status: published`` (which every vector passes), took 231 ms at p50
against 3.5 ms for the same collection unfiltered and 2.0 ms for the baseline; it
has no filter now. Its recall@10 was 0.88 (baseline 0.66) and did not move with
``ef_search`` changed through ``collection.modify``: Chroma applies the setting a
collection is created with, which is why ``bench.hnsw`` builds one per value.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
SCALE = ROOT / "bench" / ".cache" / "scale"
POOL = SCALE / "vectors.sqlite3"
RESULTS = ROOT / "bench" / ".cache" / "vectors.json"
QUESTIONS = ROOT / "tests" / "eval" / "questions.yaml"
POOL_CORPUS = 10_000  # passages of the generated folder the pool is drawn from
K = 10
SWEEP = (50, 100, 200, 400, 800)
TARGET_RECALL = 0.99
SEED = 17


def pool_vectors(size: int) -> np.ndarray:
    """``size`` real passage vectors of the generated guides, embedding what is missing."""
    from bench.corpus import SECTIONS, generate
    from bench.ingest import EMBEDDER, passages_of
    from bot.index.cache import EmbeddingCache, text_hash
    from bot.index.embedders import make_embedder
    from bot.index.ingest import EMBED_BATCH

    folder = SCALE / f"corpus-{POOL_CORPUS}" / "knowledge"
    if not folder.is_dir():
        generate(ROOT / "knowledge", folder, documents=POOL_CORPUS // SECTIONS)
    items = passages_of(folder)[:size]
    embedder = make_embedder(EMBEDDER)
    SCALE.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache(POOL, embedder.key)
    try:
        hashes = [text_hash(p.embedding_text()) for p in items]
        known = cache.get_many(hashes)
        missing = [p for p, h in zip(items, hashes, strict=True) if h not in known]
        if missing:
            print(f"[vectors] embedding {len(missing)} pool passages once", file=sys.stderr)
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start : start + EMBED_BATCH]
            done = embedder.embed_passages([p.embedding_text() for p in batch])
            cache.put_many((text_hash(p.embedding_text()), np.asarray(v, dtype=np.float32))
                           for p, v in zip(batch, done, strict=True))
        known = cache.get_many(hashes)
    finally:
        cache.close()
    return np.stack([known[h] for h in hashes]).astype(np.float32)


def query_vectors(limit: int) -> np.ndarray:
    from bench.ingest import EMBEDDER
    from bot.evaluation.questions import load_questions
    from bot.index.embedders import make_embedder

    texts = [q.question for q in load_questions(QUESTIONS)][:limit]
    return np.asarray(make_embedder(EMBEDDER).embed_queries(texts), dtype=np.float32)


def mixed(pool: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` unit vectors, each two pool vectors mixed with a little noise."""
    a, b = rng.integers(0, len(pool), n), rng.integers(0, len(pool), n)
    w = rng.uniform(0.55, 1.0, (n, 1)).astype(np.float32)
    noise = rng.normal(0.0, 0.02, (n, pool.shape[1])).astype(np.float32)
    out = w * pool[a] + (1.0 - w) * pool[b] + noise
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int = K) -> np.ndarray:
    sims = queries @ vectors.T
    top = np.argpartition(-sims, k, axis=1)[:, :k]
    order = np.take_along_axis(sims, top, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(top, order, axis=1)


def recall(found: list[list[int]], truth: np.ndarray) -> float:
    hits = sum(len(set(f) & set(t.tolist())) for f, t in zip(found, truth, strict=True))
    return round(hits / truth.size, 4)


def memory_mib() -> dict[str, float]:
    out: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


class _Given:
    """The embedder's place for the side that needs one: every vector here is given.
    (Chroma keeps the collection's embedding function by name, ``EMBEDDER``, and may
    make one from that name; it is never asked to embed either.)"""

    key = "bench-given-vectors"

    def embed_passages(self, texts: Any) -> list[list[float]]:
        raise RuntimeError("bench.vectors passes every vector in; nothing is embedded")

    embed_queries = embed_passages


def run_side(side: str, data: Path, folder: Path) -> dict[str, Any]:
    """One side in this process: add, time each query, recall; figures as a dict."""
    from bench.timing import summarize, time_each

    arrays = np.load(data)
    vectors, queries, truth = arrays["vectors"], arrays["queries"], arrays["truth"]
    ids = [f"v{i:06d}" for i in range(len(vectors))]
    before = memory_mib()
    started = time.perf_counter()
    if side == "baseline":
        import chromadb
        from langchain_chroma import Chroma

        client = chromadb.PersistentClient(path=str(folder),
                                           settings=chromadb.Settings(anonymized_telemetry=False))
        store = Chroma(collection_name="baseline", client=client,
                       collection_metadata={"hnsw:space": "cosine"})
        # What add_texts stores (a text with each vector; LangChain drops hits without
        # one), with the vectors given instead of embedded; 5,000 is Chroma's batch limit.
        for start in range(0, len(ids), 5000):
            store._collection.add(ids=ids[start : start + 5000],
                                  documents=ids[start : start + 5000],
                                  embeddings=vectors[start : start + 5000])

        def search(q: np.ndarray) -> list[str]:
            return [d.id for d in store.similarity_search_by_vector(q.tolist(), k=K)]
    else:
        from bench.ingest import EMBEDDER
        from bot.index.chroma_store import ChromaStore, passage_metadata

        ours = ChromaStore.open(path=folder, server=None, collection="bench-ours",
                                embedder=_Given(), embedder_name=EMBEDDER, create=True)
        ours.add(ids, vectors, [passage_metadata("d", "en")] * len(ids))

        def search(q: np.ndarray) -> list[str]:
            return [pid for pid, _ in ours.query(q.tolist(), K)]
    build_s = time.perf_counter() - started
    timings, hits = time_each(search, queries)
    found = [[int(h[1:]) for h in found_ids] for found_ids in hits]
    out: dict[str, Any] = {"side": side, "vectors": len(vectors), "queries": len(queries),
                           "build_s": round(build_s, 1),
                           "latency": summarize(timings).as_dict(),
                           f"recall@{K}": recall(found, truth),
                           "memory_mib": {"before": before, "after": memory_mib()}}
    return out


def compare(base: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    from bot.index.chroma_store import EF_SEARCH

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 2) if b else None

    return {
        "p50": ratio(ours["latency"]["p50_ms"], base["latency"]["p50_ms"]),
        "p95": ratio(ours["latency"]["p95_ms"], base["latency"]["p95_ms"]),
        "peak_memory": ratio(ours["memory_mib"]["after"]["VmHWM"],
                             base["memory_mib"]["after"]["VmHWM"]),
        "build": ratio(ours["build_s"], base["build_s"]),
        "ef_search_in_use": EF_SEARCH,
    }


def table(results: dict[str, Any]) -> str:
    base, ours, ratios = results["baseline"], results["ours"], results["ratios"]
    lines = [f"{base['vectors']:,} vectors, {base['queries']} real queries, top {K}",
             f"{'':10} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7} {'peak MiB':>9} "
             f"{'recall@' + str(K):>9}"]
    for side in (base, ours):
        lines.append(f"{side['side']:10} {side['build_s']:>8} {side['latency']['p50_ms']:>7} "
                     f"{side['latency']['p95_ms']:>7} "
                     f"{side['memory_mib']['after']['VmHWM']:>9} {side[f'recall@{K}']:>9}")
    lines.append(f"{'ratio':10} {ratios['build']:>8} {ratios['p50']:>7} {ratios['p95']:>7} "
                 f"{ratios['peak_memory']:>9}")
    lines.append(f"ef_search in use: {ratios['ef_search_in_use']} (chosen by bench.hnsw)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.vectors", description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pool", type=int, default=1800,
                        help="real passage vectors to mix (embedded once, then cached)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--side", choices=["baseline", "ours"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-vectors-") as tmp:
        if args.side:  # a child: one side, its figures as JSON on stdout
            print(json.dumps(run_side(args.side, args.data, Path(tmp) / "chroma")))
            return 0
        rng = np.random.default_rng(SEED)
        vectors = mixed(pool_vectors(args.pool), args.vectors, rng)
        queries = query_vectors(args.queries)
        data = Path(tmp) / "vectors.npz"
        np.savez(data, vectors=vectors, queries=queries, truth=exact_top(vectors, queries))
        del vectors
        results: dict[str, Any] = {}
        for side in ("baseline", "ours"):
            print(f"[vectors] {side}: adding {args.vectors:,} vectors", file=sys.stderr)
            done = subprocess.run([sys.executable, "-m", "bench.vectors", "--side", side,
                                   "--data", str(data)], cwd=ROOT, check=True,
                                  stdout=subprocess.PIPE, text=True)
            results[side] = json.loads(done.stdout.strip().splitlines()[-1])
        results["ratios"] = compare(results["baseline"], results["ours"])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
