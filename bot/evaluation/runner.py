"""Runs a question set through the real advisor and its retrieval."""

from __future__ import annotations

from collections.abc import Iterable

from tqdm import tqdm

from bot.advisor.models import Question
from bot.advisor.triage import Triage
from bot.evaluation.metrics import Outcome
from bot.evaluation.questions import EvalQuestion
from bot.retrieval.retriever import retrieve
from bot.runtime import Runtime


def run_questions(
    runtime: Runtime,
    questions: Iterable[EvalQuestion],
    progress: bool = True,
    triage: Triage | None = None,
) -> list[Outcome]:
    items = list(questions)
    outcomes: list[Outcome] = []
    for q in tqdm(items, desc="evaluating", unit="question", disable=not progress):
        view = runtime.watcher.view
        vector = runtime.embedder.embed_query(q.question)
        found = retrieve(
            view, runtime.embedder, q.question, lang=q.lang, country=q.country, vector=vector
        )
        urgency = runtime.advisor.urgency
        verdict = urgency.judge(vector, q.question) if urgency else None
        answer = runtime.ask(Question(text=q.question, lang=q.lang, country=q.country))
        refused = answer.reason == "refused_request"
        outcomes.append(
            Outcome(
                question=q,
                ranked_docs=found.documents(),
                top_similarity=found.top_similarity,
                status=answer.status,
                cited_docs=list(dict.fromkeys(c.doc_id for c in answer.citations)),
                urgent=answer.urgent,
                # A refused request is never urgent, whatever its margin.
                urgency_margin=verdict.margin if verdict and not refused else None,
                urgency_cue=verdict.cue if verdict else None,
                triage=triage.judge(vector, q.question).level if triage else None,
                refused=refused,
                translated=any((d, q.lang) in view.documents for d in q.expect_docs)
                if q.lang
                else True,
            )
        )
    return outcomes
