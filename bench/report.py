"""The results as a table for people; results.json carries the same figures."""

from __future__ import annotations

from typing import Any

TARGET_INGEST_TO_RAW = 0.70


def _get(d: dict[str, Any], path: str) -> Any:
    for key in path.split("."):
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def _num(value: Any, fmt: str = "{:.1f}") -> str:
    return "-" if value is None else fmt.format(value)


def _lat(d: dict[str, Any], path: str) -> str:
    lat = _get(d, path)
    if not lat:
        return "-"
    return f"{lat['p50_ms']:.0f} / {lat['p95_ms']:.0f} / {lat['mean_ms']:.0f}"


def _ratio(d: dict[str, Any], path: str) -> str:
    r = _get(d, path)
    return "-" if not r else f"{r['p50']:.2f} / {r['p95']:.2f}"


def _requests(http: dict[str, Any]) -> str:
    if "requests" not in http:
        return "failed" if "error" in http else "-"
    return f"{http['requests']} ({http['http_status']})"


def _recall(d: dict[str, Any], who: str) -> str:
    r = _get(d, f"recall.{who}")
    if not r or r.get("recall@5") is None:
        return "-"
    return f"{r['recall@5']:.3f} (n={r['answerable']})"


def _verdict(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    mark = "ok" if ratio >= TARGET_INGEST_TO_RAW else "BELOW TARGET"
    return f"{ratio:.2f} ({mark})"


ROWS: list[tuple[str, Any]] = [
    ("passages (documents)", lambda c: f"{c['passages']} ({c['documents']})"),
    ("ingest, cold (passages/s)", lambda c: _num(_get(c, "ingest.passages_per_s"), "{:.2f}")),
    ("  embedding stage (passages/s)",
     lambda c: _num(_get(c, "ingest.embed_passages_per_s"), "{:.2f}")),
    ("  ingest measured", lambda c: c["ingest"]["measured"]),
    ("raw model (passages/s)", lambda c: _num(_get(c, "raw.passages_per_s"), "{:.2f}")),
    ("  raw measured on", lambda c: c["raw"]["measured"]),
    ("raw model, this run (passages/s)",
     lambda c: _num(_get(c, "raw_this_run.passages_per_s") or _get(c, "raw.passages_per_s"),
                    "{:.2f}")),
    (f"ingest / raw (target >= {TARGET_INGEST_TO_RAW:.2f})",
     lambda c: _verdict(c.get("ingest_to_raw"))),
    ("baseline add_texts (passages/s)",
     lambda c: _num(_get(c, "baseline.add_texts_passages_per_s"), "{:.2f}")),
    ("HTTP /api/ask p50/p95/mean (ms)", lambda c: _lat(c, "http.latency")),
    ("  requests (HTTP status)", lambda c: _requests(c.get("http") or {})),
    ("  server ready after (s)", lambda c: _num(_get(c, "http.ready_seconds"))),
    ("server peak RSS, VmHWM (MiB)", lambda c: _num(_get(c, "http.peak_rss_mib"))),
    ("in-process ours p50/p95/mean (ms)", lambda c: _lat(c, "in_process.ours")),
    ("in-process baseline p50/p95/mean", lambda c: _lat(c, "in_process.baseline")),
    ("in-process photo of a paper p50/p95/mean", lambda c: _lat(c, "in_process.photo")),
    ("latency ours/baseline (p50 / p95)", lambda c: _ratio(c, "in_process.ratio")),
    ("recall@5 ours (n questions)", lambda c: _recall(c, "ours")),
    ("recall@5 baseline, k=5 passages", lambda c: _recall(c, "baseline")),
    ("  baseline, 5 distinct docs",
     lambda c: _num(_get(c, "recall.baseline.recall@5_distinct_docs"), "{:.3f}")),
    ("recall@5 ours/baseline", lambda c: _num(_get(c, "recall.ratio"), "{:.2f}")),
]


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"machine: {m['nproc']} CPUs, {m['cpu']}, {m['ram_gib']} GiB RAM, Python {m['python']}, "
        f"load average {' '.join(map(str, m['loadavg_at_start']))} at start, "
        f"{' '.join(map(str, m.get('loadavg_at_end') or []))} at end",
        "",
    ]
    corpora: dict[str, dict[str, Any]] = results["corpora"]
    names = list(corpora)
    width = max(len(label) for label, _ in ROWS) + 2
    cells = {n: [str(fn(corpora[n])) for _, fn in ROWS] for n in names}
    col = {n: max(len(n), *(len(v) for v in cells[n])) + 2 for n in names}
    lines.append("".ljust(width) + "".join(n.ljust(col[n]) for n in names))
    lines.append("-" * (width + sum(col.values())))
    for i, (label, _) in enumerate(ROWS):
        lines.append(label.ljust(width) + "".join(cells[n][i].ljust(col[n]) for n in names))
    lines.append("")
    lines.extend(f"note: {n}" for n in results["notes"])
    return "\n".join(line.rstrip() for line in lines)
