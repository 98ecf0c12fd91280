"""Retrieval with each guide-level signal turned off in turn (issue 15).

Only retrieval runs (no composing): the question's vector is embedded once and
remembered by the embedder, so each variant costs the index lookups alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.advisor.runtime import Runtime
from bot.evaluation.metrics import Outcome, score
from bot.evaluation.questions import EvalQuestion
from bot.retrieval.guides import DEFAULT_WEIGHTS, NO_RERANK, Weights
from bot.retrieval.retriever import retrieve

COLUMNS = ("recall@1", "recall@5", "mrr", "cross_lingual_recall@5")


def variants(base: Weights = DEFAULT_WEIGHTS) -> list[tuple[str, Weights]]:
    """The shipped weights; each signal in use off in turn, each unused one on; and
    none (the fused ranking alone)."""
    out = [("shipped", base)]
    for name, value in base.__dict__.items():
        if value:
            out.append((f"- {name}", base.with_weight(name, 0.0)))
        else:
            out.append((f"+ {name}", base.with_weight(name, 1.0)))
    out.append(("fused ranks only", NO_RERANK))
    return out


def ablate(
    runtime: Runtime, questions: Sequence[EvalQuestion],
    chosen: Sequence[tuple[str, Weights]] | None = None,
) -> list[tuple[str, dict[str, float | int | None]]]:
    """Overall retrieval figures of each variant, over the answerable questions."""
    answerable = [q for q in questions if q.expect_docs and q.expect_status == "answered"]
    view = runtime.watcher.view
    rows = []
    for name, weights in chosen or variants():
        outcomes = []
        for q in answerable:
            found = retrieve(view, runtime.embedder, q.question, lang=q.lang,
                             country=q.country, weights=weights)
            outcomes.append(Outcome(
                question=q, ranked_docs=found.documents(), top_similarity=found.top_similarity,
                status="answered", cited_docs=[], urgent=False,
                translated=any((d, q.lang) in view.documents for d in q.expect_docs)
                if q.lang else True,
            ))
        figures = score(outcomes)[0].as_dict()
        rows.append((name, {c: figures[c] for c in COLUMNS}))
    return rows
