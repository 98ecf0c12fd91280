"""The project in-process: the latency of an answer (asked and rendered, as the API does)
and the evaluation's recall@5."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.timing import WARM_UP_TEXT, Latency, forget_queries, summarize
from bot.advisor.models import Question
from bot.advisor.runtime import Runtime, build_runtime
from bot.channels.answers import answer_for
from bot.config import Settings
from bot.evaluation.metrics import Outcome, score
from bot.evaluation.questions import EvalQuestion
from bot.evaluation.runner import run_questions


def open_runtime(knowledge_dir: Path, data_dir: Path) -> Runtime:
    # Explicit values and no .env: the figures must not depend on the caller's settings.
    settings = Settings(
        knowledge_dir=knowledge_dir,
        data_dir=data_dir,
        embedder="e5",
        chroma_url=None,
        _env_file=None,  # type: ignore[call-arg]
    )
    return build_runtime(settings)


def _question(q: EvalQuestion) -> Question:
    return Question(text=q.question, lang=q.lang, country=q.country)


def latency(runtime: Runtime, questions: Sequence[EvalQuestion], budget_s: float) -> Latency:
    """Per-question latency of an answer for the web (retrieve, compose, check, render)."""
    forget_queries(runtime.embedder)
    answer_for(runtime, Question(text=WARM_UP_TEXT))
    timings: list[float] = []
    deadline = time.monotonic() + budget_s
    for q in questions:
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        answer_for(runtime, _question(q))
        timings.append(time.perf_counter() - started)
    return summarize(timings)


def recall(
    runtime: Runtime, questions: Sequence[EvalQuestion], budget_s: float
) -> dict[str, Any]:
    """bot.evaluation's scores over the questions answered within ``budget_s`` seconds."""
    forget_queries(runtime.embedder)
    outcomes: list[Outcome] = []
    deadline = time.monotonic() + budget_s
    for q in questions:
        if time.monotonic() > deadline:
            break
        outcomes.extend(run_questions(runtime, [q], progress=False))
    overall, _ = score(outcomes)
    return overall.as_dict()
