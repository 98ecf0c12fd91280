"""Runs a question set through the real advisor and reads what it did from each answer's trace."""

from __future__ import annotations

from collections.abc import Iterable

from tqdm import tqdm

from bot.advisor.models import Question
from bot.advisor.runtime import Runtime
from bot.advisor.triage import Triage
from bot.evaluation.metrics import Outcome
from bot.evaluation.questions import EvalQuestion
from bot.index.embedders import embed_query


def run_questions(
    runtime: Runtime,
    questions: Iterable[EvalQuestion],
    progress: bool = True,
    triage: Triage | None = None,
) -> list[Outcome]:
    items = list(questions)
    outcomes: list[Outcome] = []
    for q in tqdm(items, desc="evaluating", unit="question", disable=not progress):
        answer = runtime.ask(Question(text=q.question, lang=q.lang, country=q.country),
                             measure=True)
        trace = answer.trace
        assert trace is not None  # every answer of the advisor carries one
        found = trace.retrieval
        verdict = trace.urgency
        refused = answer.reason == "refused_request"
        documents = runtime.watcher.view.documents
        outcomes.append(
            Outcome(
                question=q,
                ranked_docs=found.documents() if found else [],
                top_similarity=found.top_similarity if found else 0.0,
                status=answer.status,
                cited_docs=list(dict.fromkeys(c.doc_id for c in answer.citations)),
                urgent=answer.urgent,
                # A refused request is never urgent, whatever its margin.
                urgency_margin=verdict.margin if verdict and not refused else None,
                urgency_cue=verdict.cue if verdict else None,
                triage=(
                    triage.judge(embed_query(runtime.embedder, q.question), q.question).level
                    if triage else None
                ),
                refused=refused,
                translated=any((d, q.lang) in documents for d in q.expect_docs)
                if q.lang
                else True,
            )
        )
    return outcomes
