"""`make bench-ask`: an answer in-process at 10,000 and 100,000 generated passages, and the
exact-token (BM25) index at those sizes.

    .venv/bin/python -m bench.ask_scale [--sizes 10000 100000] [--budget 60] [--json]

Embedding 100,000 passages takes about seven hours on 2 cores, so their vectors are
not the model's: the real ``ingest`` builds the index of the generated folder
(``bench/corpus.py``, ``size / 5`` guides: validation, chunking, Chroma, snapshot,
signals) with an embedder that gives each text two real passage vectors of the pool
``bench.vectors`` keeps (``bench/.cache/scale/vectors.sqlite3``) mixed with a little
noise (``GivenVectors``). The index is kept under ``bench/.cache/scale/ask-<size>-N/``
and built once; its ingest time is the real one less the model's.

Each size is then measured in a process of its own (its peak memory is the
process's), through the real query path: ``build_runtime`` over that index (the
model, the snapshot, the BM25 index built at load), then the evaluation questions
of ``tests/eval/questions.yaml`` asked and rendered as ``POST /api/ask`` does
(``bench.ours.latency``: embed the question, retrieve, compose, check), for at most
``--budget`` seconds. The BM25 index is timed on its own: building it over every
passage (what a replica does when it loads a generation), the look-up retrieval
makes (only the question's exact tokens: numbers, names, articles) and a look-up
of every token of the question (the worst case: common words have long postings).

Retrieval finds passages by their mixed vectors, so the answers are not the
knowledge's; the timings are those of the code path at that size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

for _name, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
                      ("ANONYMIZED_TELEMETRY", "False"), ("TOKENIZERS_PARALLELISM", "false")):
    os.environ.setdefault(_name, _value)  # before chromadb or the model is imported

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCALE = ROOT / "bench" / ".cache" / "scale"
RESULTS = ROOT / "bench" / ".cache" / "ask_scale.json"
QUESTIONS = ROOT / "tests" / "eval" / "questions.yaml"
SIZES = (10_000, 100_000)
BUILD_FORMAT = "2"  # of build.json and the vectors given; part of the folder's name
POOL = 1800  # real vectors of bench.vectors' pool the mixed ones are made from
SEED = 17
LEXICAL_QUERIES = 200


def say(message: str) -> None:
    print(f"[ask-scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class GivenVectors:
    """The E5 key without the model: each text gets two real vectors of ``pool`` mixed with
    a little noise (``bench.vectors.mixed``), chosen by the text's hash, so the same text
    always gets the same vector. Passages and the signals' headings, cards and topics
    alike; the queries of a measured run are embedded by the real model."""

    def __init__(self, pool: np.ndarray, key: str) -> None:
        self.pool = pool
        self.key = key

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        from bench.vectors import mixed
        from bot.index.cache import text_hash

        out = [mixed(self.pool, 1, np.random.default_rng(int(text_hash(t)[:16], 16)))[0]
               for t in texts]
        return [v.tolist() for v in out]

    embed_queries = embed_passages


def corpus(size: int, cache: Path = SCALE) -> Path:
    """The generated knowledge folder of ``size`` passages (written once)."""
    from bench.corpus import GENERATOR_VERSION, SECTIONS, generate

    folder = cache / f"corpus-{size}"
    stamp = folder / "generator"
    if not (stamp.is_file() and stamp.read_text() == GENERATOR_VERSION):
        say(f"writing {size // SECTIONS} generated guides")
        generate(ROOT / "knowledge", folder / "knowledge", documents=size // SECTIONS)
        stamp.write_text(GENERATOR_VERSION)
    return folder / "knowledge"


def build(size: int, cache: Path = SCALE,
          pool: np.ndarray | None = None) -> tuple[Path, Path, dict[str, Any]]:
    """The index of the generated folder: (knowledge, data folder, how it was built).
    ``pool``: the real vectors to mix (default: ``POOL`` of bench.vectors' pool)."""
    from bench.ingest import EMBEDDER, ingest_figures
    from bench.vectors import pool_vectors
    from bot.index.embedders.e5 import E5Embedder
    from bot.index.ingest import ingest

    knowledge = corpus(size, cache)
    root = cache / f"ask-{size}-{BUILD_FORMAT}"
    data = root / "data"
    if (root / "build.json").is_file():
        return knowledge, data, json.loads((root / "build.json").read_text())
    given = GivenVectors(pool_vectors(POOL) if pool is None else pool, E5Embedder.key)
    report = ingest(knowledge, data, given, EMBEDDER, progress=False)
    figures = {"passages": report.passages, "documents": report.documents,
               "ingest": ingest_figures(report)}
    (root / "build.json").write_text(json.dumps(figures, indent=2))
    return knowledge, data, figures


def _us(seconds: list[float]) -> dict[str, float | int]:
    """p50, p95 and max in microseconds (a BM25 look-up can take well under a millisecond)."""
    from bench.timing import percentile

    if not seconds:
        return {"n": 0}
    us = sorted(x * 1e6 for x in seconds)
    return {"n": len(us), "p50_us": round(percentile(us, 0.50)),
            "p95_us": round(percentile(us, 0.95)), "max_us": round(us[-1])}


def lexical(texts: list[str], questions: list[str]) -> dict[str, Any]:
    """Build the BM25 index over ``texts``; time the look-up retrieval makes (the exact
    tokens of the questions that have any) and one of every token of each question."""
    from bot.index.lexical import BM25Index, tokenize
    from bot.retrieval.retriever import CANDIDATES, exact_terms

    started = time.perf_counter()
    index = BM25Index(texts)
    build_s = time.perf_counter() - started
    exact: list[float] = []
    every: list[float] = []
    for q in questions:
        started = time.perf_counter()
        terms = exact_terms(q)
        if terms:
            index.search_tokens(terms, CANDIDATES)
            exact.append(time.perf_counter() - started)
        started = time.perf_counter()
        index.search_tokens(tokenize(q), CANDIDATES)
        every.append(time.perf_counter() - started)
    return {"passages": len(index), "build_s": round(build_s, 2), "questions": len(questions),
            "exact_tokens": _us(exact), "every_token": _us(every)}


def measure(size: int, budget_s: float) -> dict[str, Any]:
    """One size, in this process: the runtime's start, BM25, the answers' latency, memory."""
    from bench.ours import latency, open_runtime
    from bench.vectors import memory_mib
    from bot.evaluation.questions import load_questions

    knowledge, data, built = build(size)
    questions = load_questions(QUESTIONS)
    started = time.perf_counter()
    runtime = open_runtime(knowledge, data)
    start_s = time.perf_counter() - started
    try:
        view = runtime.watcher.view
        say(f"{size}: runtime ready in {start_s:.0f} s ({len(view.passages)} passages)")
        texts = [p.embedding_text() for p in view.passages]
        bm25 = lexical(texts, [q.question for q in questions][:LEXICAL_QUERIES])
        say(f"{size}: BM25 built in {bm25['build_s']} s; asking for at most {budget_s:.0f} s")
        asked = latency(runtime, questions, budget_s)
    finally:
        runtime.close()
    return {"size": size, "build": built, "runtime_start_s": round(start_s, 1),
            "lexical": bm25, "ask": asked.as_dict(), "memory_mib": memory_mib()}


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "passages | ingest s | start s | peak MiB | ask n, p50/p95 ms | BM25 build s "
        "| BM25 exact tokens n, p50/p95 us | BM25 every token p50/p95 us",
    ]
    for r in results:
        lex, ask = r["lexical"], r["ask"]
        exact, every = lex["exact_tokens"], lex["every_token"]
        lines.append(
            f"{r['size']:>8,} | {r['build']['ingest']['seconds']:>8.1f} | "
            f"{r['runtime_start_s']:>7.1f} | {r['memory_mib']['VmHWM']:>8.0f} | "
            f"{ask['n']}, {ask['p50_ms']:.0f}/{ask['p95_ms']:.0f} | {lex['build_s']:.2f} | "
            f"{exact['n']}, {exact.get('p50_us', '-')}/{exact.get('p95_us', '-')} | "
            f"{every.get('p50_us', '-')}/{every.get('p95_us', '-')}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds of asking per size (the figures say how many)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a size, in this process
    parser.add_argument("--build", action="store_true",
                        help="only build (and cache) the indexes of --sizes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.build:
        for size in args.sizes:
            started = time.perf_counter()
            built = build(size)[2]
            say(f"{size}: index ready in {time.perf_counter() - started:.0f} s "
                f"(ingest {built['ingest']['seconds']:.0f} s when built)")
        return 0
    if args.one:
        print(json.dumps(measure(args.one, args.budget)))
        return 0
    results = []
    for size in args.sizes:
        done = subprocess.run([sys.executable, "-m", "bench.ask_scale", "--one", str(size),
                               "--budget", str(args.budget)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True, check=False)
        if done.returncode != 0:
            say(f"{size}: failed ({done.returncode})")
            return 1
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
