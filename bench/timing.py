"""Latency summaries: p50, p95 and mean of a list of durations, in milliseconds."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

WARM_UP_TEXT = "warm-up: a question that is not in the question set"
Q = TypeVar("Q")
R = TypeVar("R")


@dataclass(frozen=True)
class Latency:
    n: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    max_ms: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q of the data at or below it."""
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(seconds: list[float]) -> Latency:
    if not seconds:
        raise ValueError("no timings to summarize")
    ms = sorted(s * 1000.0 for s in seconds)
    return Latency(
        n=len(ms),
        p50_ms=round(statistics.median(ms), 1),
        p95_ms=round(percentile(ms, 0.95), 1),
        mean_ms=round(statistics.fmean(ms), 1),
        max_ms=round(ms[-1], 1),
    )


def forget_queries(embedder: Any) -> None:
    """Start a timed loop with no query vector remembered.

    E5Embedder remembers recent queries: a loop over questions another loop has
    just embedded would time look-ups.
    """
    forget = getattr(embedder, "forget_queries", None)
    if callable(forget):
        forget()


def time_each(call: Callable[[Q], R], inputs: Sequence[Q], warm_up: int = 5
              ) -> tuple[list[float], list[R]]:
    """Seconds each call took, and its results, after ``warm_up`` untimed calls."""
    for item in inputs[:warm_up]:
        call(item)
    timings: list[float] = []
    results: list[R] = []
    for item in inputs:
        started = time.perf_counter()
        results.append(call(item))
        timings.append(time.perf_counter() - started)
    return timings, results
