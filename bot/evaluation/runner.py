"""Runs a question set through the real advisor and reads what it did from each answer's trace."""

from __future__ import annotations

from collections.abc import Iterable

from tqdm import tqdm

from bot.advisor.models import Question
from bot.advisor.runtime import Runtime
from bot.evaluation.metrics import Outcome
from bot.evaluation.questions import EvalQuestion


def run_questions(
    runtime: Runtime,
    questions: Iterable[EvalQuestion],
    progress: bool = True,
) -> list[Outcome]:
    items = list(questions)
    outcomes: list[Outcome] = []
    for q in tqdm(items, desc="evaluating", unit="question", disable=not progress):
        answer = runtime.ask(Question(text=q.question, lang=q.lang, country=q.country),
                             measure=True)
        trace = answer.trace
        assert trace is not None  # every answer of the advisor carries one
        found = trace.retrieval
        verdict = trace.triage
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
                triage=answer.triage if verdict else None,
                triage_alone=verdict.level if verdict else None,
                urgency=verdict.urgency if verdict else None,
                cues=tuple(sorted(verdict.cues)) if verdict else (),
                dangers=tuple(answer.dangers),
                refused=refused,
                translated=any((d, q.lang) in documents for d in q.expect_docs)
                if q.lang
                else True,
            )
        )
    return outcomes
