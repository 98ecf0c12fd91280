"""`make bench`: measure the project against a plain LangChain + Chroma baseline.

    .venv/bin/python -m bench.run [--quick] [--requests N] [--json]

For the starter knowledge, and (unless --quick) a generated folder of 2,000
passages whose index is built once and cached under bench/.cache/:

1. ingest throughput (cold) beside the raw throughput of the model on the same texts;
2. POST /api/ask latency over real HTTP against `bot serve` run as a subprocess;
3. the server's peak memory (VmHWM);
4. in-process latency and recall@5 of the project and of the baseline.

The table goes to stdout, progress to stderr, the figures to bench/.cache/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

for _name, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("ANONYMIZED_TELEMETRY", "False"),
    ("TOKENIZERS_PARALLELISM", "false"),
):
    os.environ.setdefault(_name, _value)  # before chromadb or the model is imported

import httpx  # noqa: E402

from bench import baseline, documents, ingest, machine, ours, report, server  # noqa: E402
from bench.ingest import CachedIndex  # noqa: E402
from bench.timing import Latency  # noqa: E402
from bot.evaluation.questions import EvalQuestion, load_questions  # noqa: E402
from bot.index.embedders import embed_query, make_embedder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
STARTER = ROOT / "knowledge"
QUESTIONS = ROOT / "tests" / "eval" / "questions.yaml"
LOOP_BUDGET_S = 300.0  # per in-process latency loop
RECALL_BUDGET_S = 900.0  # per recall loop: a cut-short recall is reported with its n
HTTP_BUDGET_S = 600.0  # per HTTP run
_T0 = time.monotonic()


def say(message: str) -> None:
    print(f"[bench {time.monotonic() - _T0:6.0f} s] {message}", file=sys.stderr, flush=True)


def _ratio(ours_: Latency, base: Latency) -> dict[str, float]:
    return {
        "p50": round(ours_.p50_ms / base.p50_ms, 2),
        "p95": round(ours_.p95_ms / base.p95_ms, 2),
    }


def _in_process(
    knowledge_dir: Path,
    data_dir: Path,
    bl: baseline.Baseline,
    answerable: list[EvalQuestion],
    with_recall: bool,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    say("baseline: similarity_search(k=5) latency")
    base_lat = baseline.latency(bl, [q.question for q in answerable], LOOP_BUDGET_S)
    if with_recall:
        say("baseline: recall@5")
        out["recall_baseline"] = baseline.recall(bl, answerable, RECALL_BUDGET_S)
    runtime = ours.open_runtime(knowledge_dir, data_dir)
    try:
        say("ours: Runtime.ask latency")
        our_lat = ours.latency(runtime, answerable, LOOP_BUDGET_S)
        if with_recall:  # the starter knowledge holds the document kinds
            say("ours: a phone-sized photo of an army contract, answered for WhatsApp")
            out["photo"] = documents.answer_latency(runtime).as_dict()
        if with_recall:
            say("ours: recall@5 (bot.evaluation)")
            out["recall_ours"] = ours.recall(runtime, answerable, RECALL_BUDGET_S)
    finally:
        runtime.close()
    out["in_process"] = {
        "questions": "answerable questions of tests/eval/questions.yaml",
        "ours": our_lat.as_dict(),
        "baseline": base_lat.as_dict(),
        "ratio": _ratio(our_lat, base_lat),
    }
    if "photo" in out:
        out["in_process"]["photo"] = out.pop("photo")
    return out


def _http(
    data_dir: Path, knowledge_dir: Path, questions: list[EvalQuestion], requests: int, name: str
) -> dict[str, Any]:
    """The HTTP figures, or the reason there are none (the other figures still count)."""
    log = CACHE / f"server-{name}.log"
    try:
        return server.measure(
            data_dir, knowledge_dir, questions, requests, HTTP_BUDGET_S, log, say
        )
    except (server.ServerFailed, httpx.HTTPError, OSError) as exc:
        say(f"{name}: HTTP measurement failed: {exc}")
        return {"error": str(exc)}


def bench_starter(
    embedder: Any, questions: list[EvalQuestion], requests: int, work: Path
) -> dict[str, Any]:
    answerable = [q for q in questions if q.expect_status == "answered" and q.expect_docs]
    passages = ingest.passages_of(STARTER)
    # Half of the raw timing before the ingest and half after: a change of load on the
    # machine during the run then weighs on both figures alike.
    half = len(passages) // 2
    say(f"starter: raw model throughput, first {half} passages")
    before = ingest.raw_rate(embedder, passages[:half])
    say(f"starter: cold ingest of {len(passages)} passages into a fresh data folder")
    data_dir = work / "starter-data"
    figures = ingest.cold_ingest(STARTER, data_dir, embedder)
    figures["measured"] = "this run, fresh data folder"
    say(f"starter: raw model throughput, last {len(passages) - half} passages")
    raw = ingest.combined(before, ingest.raw_rate(embedder, passages[half:]))
    raw["measured"] = f"{len(passages)} passages, half before, half after ingest"
    result: dict[str, Any] = {
        "passages": len(passages),
        "documents": figures["documents"],
        "ingest": figures,
        "raw": raw,
        "ingest_to_raw": round(figures["passages_per_s"] / raw["passages_per_s"], 2),
    }
    say("baseline: LangChain Chroma add_texts (embeds every passage again)")
    bl = baseline.Baseline(work / "starter-baseline", embedder)
    try:
        seconds = bl.add_texts(passages)
        result["baseline"] = {
            "add_texts_seconds": round(seconds, 2),
            "add_texts_passages_per_s": round(len(passages) / seconds, 2),
        }
        parts = _in_process(STARTER, data_dir, bl, answerable, with_recall=True)
    finally:
        bl.close()
    ours_r, base_r = parts.pop("recall_ours"), parts.pop("recall_baseline")
    result["in_process"] = parts["in_process"]
    result["recall"] = {
        "ours": ours_r,
        "baseline": base_r,
        "ratio": round(ours_r["recall@5"] / base_r["recall@5"], 2) if base_r["recall@5"] else None,
    }
    say(f"starter: {requests} requests over HTTP")
    result["http"] = _http(data_dir, STARTER, questions, requests, "starter")
    return result


def bench_generated(
    embedder: Any, questions: list[EvalQuestion], requests: int, work: Path
) -> tuple[dict[str, Any], CachedIndex]:
    answerable = [q for q in questions if q.expect_status == "answered" and q.expect_docs]
    say("generated: reusing or building (all 2,000 passages embedded) the cached index")
    idx = ingest.generated_index(STARTER, CACHE, embedder)
    say(f"generated: index {'REUSED' if idx.reused else 'BUILT'} at {idx.root}")
    passages = ingest.passages_of(idx.knowledge_dir)
    sample = ingest.sample(passages)
    say(f"generated: raw model throughput on a sample of {len(sample)} passages")
    now = ingest.raw_rate(embedder, sample)
    built = "this run" if not idx.reused else f"cached build of {idx.build['built_at']}"
    figures = dict(idx.build["ingest"], measured=f"{built}, fresh data folder")
    raw = dict(
        idx.build["raw_at_build"],
        measured=f"sample of {len(sample)}, half before, half after the build",
    )
    result: dict[str, Any] = {
        "passages": len(passages),
        "documents": figures["documents"],
        "index_cache": {"reused": idx.reused, "path": str(idx.root), **idx.build},
        "ingest": figures,
        "raw": raw,
        "raw_this_run": now,
        "ingest_to_raw": round(figures["passages_per_s"] / raw["passages_per_s"], 2),
    }
    say("baseline: filling Chroma with the cached vectors (no re-embedding)")
    bl = baseline.Baseline(work / "generated-baseline", embedder)
    try:
        bl.add_vectors(passages, ingest.cached_vectors(idx.data_dir, embedder, passages))
        parts = _in_process(idx.knowledge_dir, idx.data_dir, bl, answerable, with_recall=False)
    finally:
        bl.close()
    result["in_process"] = parts["in_process"]
    say(f"generated: {requests} requests over HTTP")
    result["http"] = _http(idx.data_dir, idx.knowledge_dir, questions, requests, "generated")
    return result, idx


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _notes(results: dict[str, Any], idx: CachedIndex | None) -> list[str]:
    notes = [
        "ingest rate = passages / whole ingest time (read, validate, chunk, embed, Chroma, "
        "snapshot); raw = E5Embedder.embed_passages on the same embedding_text(), "
        "batches of 32, model already loaded.",
        "in-process latency: ours = Runtime.ask and one render for the web "
        "(hybrid retrieval, compose, check, render); "
        "baseline = Chroma.similarity_search(k=5) only; both on the answerable questions.",
        "recall@5: ours counts the top 5 distinct documents (bot.evaluation); the baseline's "
        "5 passages may hold fewer; '5 distinct docs' takes them from its top 20 passages.",
        "HTTP: sequential POST /api/ask on loopback, questions cycled from "
        "tests/eval/questions.yaml (a ' #2' suffix from the second round on), after 5 "
        "warm-up requests; the query-vector cache is cleared before each in-process loop.",
    ]
    for name, corpus in results["corpora"].items():
        if "error" in corpus.get("http", {}):
            notes.append(f"{name}: no HTTP figures: {corpus['http']['error']}")
    if idx is not None:
        state = "reused from" if idx.reused else "built into"
        notes.append(
            f"generated: index {state} {_shown(idx.root)}; its ingest rate comes from "
            "the build's IngestReport (build.json), beside the raw rate of a 200-passage sample "
            "timed around that build; the same sample is timed again in this run ('raw model, "
            "this run'); no recall (the folder has no labelled questions)."
        )
    # Only the load at the start is other work: by the end it includes this benchmark's.
    load = (results["machine"]["loadavg_at_start"] or [0.0])[0]
    if load > 0.5:
        notes.append(
            f"1-minute load average {load} at the start: other work shared the CPUs, "
            "so absolute figures are pessimistic; the ratios are measured side by side."
        )
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="starter knowledge only, 50 requests")
    parser.add_argument("--requests", type=int, help="HTTP requests per corpus (default 200)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    # A SIGTERM unwinds like Ctrl-C: the server is stopped and the scratch folder removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    requests = args.requests or (50 if args.quick else 200)
    if requests < 1:
        parser.error("--requests must be at least 1")

    results: dict[str, Any] = {"machine": machine.describe(), "corpora": {}}
    say(f"machine: {results['machine']}")
    questions = load_questions(QUESTIONS)
    say("loading the embedding model")
    embedder = make_embedder(ingest.EMBEDDER)
    embedder.embed_passages(["warm-up"])
    embed_query(embedder, "warm-up")
    idx = None
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="run-", dir=CACHE) as tmp:
        work = Path(tmp)
        results["corpora"]["starter"] = bench_starter(embedder, questions, requests, work)
        if not args.quick:
            results["corpora"]["generated"], idx = bench_generated(
                embedder, questions, requests, work
            )
    results["machine"]["loadavg_at_end"] = machine.load_average()
    results["notes"] = _notes(results, idx)
    (CACHE / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    say(f"done; figures in {_shown(CACHE / 'results.json')}")
    print(json.dumps(results, indent=2) if args.json else report.table(results))
    failed = [n for n, c in results["corpora"].items() if "error" in c.get("http", {})]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
