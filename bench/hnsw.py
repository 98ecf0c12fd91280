"""HNSW recall against exact search at 2k, 10k and 100k vectors: one collection per
``ef_search``, queried as served (one language) and unfiltered; and four ways to serve
the one-language query, side by side at the chosen ``ef_search``.

    .venv/bin/python -m bench.hnsw [--sizes 2000,10000,100000] [--queries 200] [--json]

The vectors are those of ``bench.vectors`` (real passage vectors of the generated guides
mixed two at a time), each given a language drawn with the shares of the starter
knowledge's passages; the queries are the real query vectors of the evaluation
questions. Exact search (numpy) gives the true nearest ten, over every vector and over
those of the pivot language (``en``, which every served question searches).

Chroma applies ``ef_search`` when a collection is created (changing it later with
``collection.modify`` changed nothing in chromadb 1.5.9), so each value gets a
collection of its own, built through ``ChromaStore.open`` in a process of its own
(its peak memory is that build's). The smallest value whose recall@10 is at least
0.99 both ways, at every size, is the one to put in ``bot/index/chroma_store.py``.

The ways to serve a one-language query (``--options``):
  served      ``ChromaStore.query(lang=...)``: a ``where`` filter in Chroma;
  post-filter one unfiltered query for more neighbours, kept to the language here;
  per-language one collection per language, queried with no filter.
Figures go to stdout (a table, or --json) and ``bench/.cache/hnsw.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bench.vectors import (
    ROOT,
    SEED,
    TARGET_RECALL,
    K,
    exact_top,
    memory_mib,
    mixed,
    pool_vectors,
    query_vectors,
    recall,
)

RESULTS = ROOT / "bench" / ".cache" / "hnsw.json"
SIZES = (2_000, 10_000, 100_000)
SWEEP = (50, 100, 200, 400, 800, 1600)
PIVOT = "en"
POST_FILTER_FACTOR = 3  # the post-filter asks for k / share * this many neighbours


def language_shares() -> dict[str, float]:
    """Each language's share of the starter knowledge's passages."""
    from bench.ingest import passages_of

    counts = Counter(p.lang for p in passages_of(ROOT / "knowledge"))
    total = sum(counts.values())
    return {lang: n / total for lang, n in sorted(counts.items())}


def make_data(size: int, pool: np.ndarray, queries: np.ndarray, shares: dict[str, float],
              path: Path) -> None:
    rng = np.random.default_rng(SEED + size)
    vectors = mixed(pool, size, rng)
    langs = rng.choice(list(shares), size=size, p=list(shares.values()))
    pivot = np.flatnonzero(langs == PIVOT)
    np.savez(path, vectors=vectors, queries=queries, langs=langs,
             truth=exact_top(vectors, queries),
             truth_pivot=pivot[exact_top(vectors[pivot], queries)])


def _timed(search: Any, queries: np.ndarray) -> tuple[dict[str, Any], list[list[int]]]:
    from bench.timing import summarize, time_each

    timings, hits = time_each(search, queries)
    found = [[int(h[1:]) for h in found_ids] for found_ids in hits]
    lat = summarize(timings)
    return {"p50_ms": lat.p50_ms, "p95_ms": lat.p95_ms}, found


def _build(folder: Path, name: str, ids: list[str], vectors: np.ndarray, langs: np.ndarray,
           ef: int) -> tuple[Any, float]:
    from bench.ingest import EMBEDDER
    from bench.vectors import _Given
    from bot.index.chroma_store import ChromaStore, passage_metadata

    started = time.perf_counter()
    store = ChromaStore.open(path=folder, server=None, collection=name, embedder=_Given(),
                             embedder_name=EMBEDDER, create=True, ef_search=ef)
    store.add(ids, vectors, [passage_metadata(f"d{i // 5}", str(lang))
                             for i, lang in enumerate(langs)])
    return store, time.perf_counter() - started


def run_child(mode: str, ef: int, data: Path, folder: Path) -> dict[str, Any]:
    """One collection (``sweep``) or the ways to serve (``options``), in this process."""
    arrays = np.load(data)
    vectors, queries, langs = arrays["vectors"], arrays["queries"], arrays["langs"]
    truth, truth_pivot = arrays["truth"], arrays["truth_pivot"]
    ids = [f"v{i:06d}" for i in range(len(vectors))]
    store, build_s = _build(folder, "all", ids, vectors, langs, ef)
    out: dict[str, Any] = {"vectors": len(ids), "ef_search": ef, "build_s": round(build_s, 1),
                           "configuration": {k: v for k, v in store.hnsw().items()
                                             if k in ("ef_search", "ef_construction",
                                                      "max_neighbors")}}

    def served(q: np.ndarray) -> list[str]:
        return [pid for pid, _ in store.query(q.tolist(), K, lang=PIVOT)]

    def unfiltered(q: np.ndarray) -> list[str]:
        return [pid for pid, _ in store.query(q.tolist(), K)]

    ways: dict[str, Any] = {"served": (served, truth_pivot)}
    if mode == "sweep":
        ways["unfiltered"] = (unfiltered, truth)
    else:
        share = float(np.mean(langs == PIVOT))
        wide = min(len(ids), int(np.ceil(K / share * POST_FILTER_FACTOR)))
        lang_of = dict(zip(ids, langs.tolist(), strict=True))

        def post_filter(q: np.ndarray) -> list[str]:
            return [pid for pid, _ in store.query(q.tolist(), wide)
                    if lang_of[pid] == PIVOT][:K]

        pivot = np.flatnonzero(langs == PIVOT)
        own, own_s = _build(folder, "pivot", [ids[i] for i in pivot], vectors[pivot],
                            langs[pivot], ef)
        out["per_language_build_s"] = round(own_s, 1)
        out["post_filter_k"] = wide

        def per_language(q: np.ndarray) -> list[str]:
            return [pid for pid, _ in own.query(q.tolist(), K)]

        ways["post-filter"] = (post_filter, truth_pivot)
        ways["per-language"] = (per_language, truth_pivot)
    for label, (search, true) in ways.items():
        latency, found = _timed(search, queries)
        out[label] = {f"recall@{K}": recall(found, true), **latency}
    out["peak_mib"] = memory_mib()["VmHWM"]
    return out


def _child(mode: str, ef: int, data: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.hnsw", "--child", mode,
                           "--ef", str(ef), "--data", str(data)],
                          cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def chosen(rows: list[dict[str, Any]]) -> int | None:
    """The smallest ``ef_search`` with recall@10 >= 0.99 filtered and unfiltered."""
    good = [r["ef_search"] for r in rows
            if min(r["served"][f"recall@{K}"], r["unfiltered"][f"recall@{K}"]) >= TARGET_RECALL]
    return min(good) if good else None


def table(results: dict[str, Any]) -> str:
    lines = [f"recall@{K} against exact search; {results['queries']} real queries; "
             f"served = language {PIVOT!r} ({results['pivot_share']:.1%} of the vectors)"]
    for size, rows in results["sweep"].items():
        lines.append(f"{int(size):,} vectors:")
        for r in rows:
            lines.append(
                f"  ef_search {r['ef_search']:>5}: unfiltered {r['unfiltered'][f'recall@{K}']:.3f} "
                f"({r['unfiltered']['p50_ms']}/{r['unfiltered']['p95_ms']} ms), served "
                f"{r['served'][f'recall@{K}']:.3f} ({r['served']['p50_ms']}/"
                f"{r['served']['p95_ms']} ms), build {r['build_s']} s, peak {r['peak_mib']} MiB")
        lines.append(f"  smallest ef_search with recall >= {TARGET_RECALL}: "
                     f"{results['chosen'][size]}")
    for size, o in results.get("options", {}).items():
        lines.append(f"{int(size):,} vectors, ef_search {o['ef_search']}, one language:")
        for label in ("served", "post-filter", "per-language"):
            lines.append(f"  {label:12} recall {o[label][f'recall@{K}']:.3f}  "
                         f"p50 {o[label]['p50_ms']} ms  p95 {o[label]['p95_ms']} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.hnsw", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--sweep", default=",".join(str(s) for s in SWEEP))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pool", type=int, default=1800)
    parser.add_argument("--options-ef", type=int,
                        help="ef_search for the ways to serve (default: the chosen one)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["sweep", "options"], help=argparse.SUPPRESS)
    parser.add_argument("--ef", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        with tempfile.TemporaryDirectory(prefix="bench-hnsw-") as tmp:
            print(json.dumps(run_child(args.child, args.ef, args.data, Path(tmp))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    sweep = [int(s) for s in args.sweep.split(",")]
    pool = pool_vectors(args.pool)
    queries = query_vectors(args.queries)
    shares = language_shares()
    results: dict[str, Any] = {"queries": len(queries), "pivot_share": shares[PIVOT],
                               "sweep": {}, "chosen": {}, "options": {}}
    with tempfile.TemporaryDirectory(prefix="bench-hnsw-") as tmp:
        for size in sizes:
            data = Path(tmp) / f"{size}.npz"
            make_data(size, pool, queries, shares, data)
            rows = []
            for ef in sweep:
                print(f"[hnsw] {size:,} vectors, ef_search {ef}", file=sys.stderr, flush=True)
                rows.append(_child("sweep", ef, data))
            results["sweep"][str(size)] = rows
            results["chosen"][str(size)] = chosen(rows)
            ef = args.options_ef or results["chosen"][str(size)] or max(sweep)
            print(f"[hnsw] {size:,} vectors: ways to serve at {ef}", file=sys.stderr, flush=True)
            results["options"][str(size)] = _child("options", ef, data)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
