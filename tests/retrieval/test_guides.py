"""Guide-level re-ranking (``bot.retrieval.guides``) on the shipped knowledge (issue 15)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.advisor.runtime import Runtime
from bot.index.view import IndexView
from bot.retrieval.guides import DEPTH, NO_RERANK, Weights
from bot.retrieval.retriever import retrieve

QUESTIONS = [
    ("en", "my employer keeps my passport in his safe and says I owe him money"),
    ("sw", "Nimepokea barua ya kuitwa jeshini, nifanye nini?"),
    ("hi", "mere bhai ko yudh bandi bana liya gaya hai, kya karein"),
    ("pt", "Fui capturado pelo exército ucraniano, quais são os meus direitos?"),
]


@pytest.fixture(scope="module")
def view(starter_runtime: Runtime) -> IndexView:
    return starter_runtime.watcher.view


@pytest.mark.parametrize(("lang", "question"), QUESTIONS)
def test_reranking_only_reorders_the_first_guides(
    view: IndexView, starter_runtime: Runtime, lang: str, question: str
):
    fused = retrieve(view, starter_runtime.embedder, question, lang=lang, k=500,
                     weights=NO_RERANK)
    ranked = retrieve(view, starter_runtime.embedder, question, lang=lang, k=500)
    before, after = fused.documents(), ranked.documents()
    assert sorted(before[:DEPTH]) == sorted(after[:DEPTH])
    assert before[DEPTH:] == after[DEPTH:]
    assert ranked.top_similarity == fused.top_similarity  # the relevance signal is untouched
    scores = [h.score for h in ranked.hits]
    assert scores == sorted(scores, reverse=True)
    # Within a guide, sections keep their order and the ratios of their scores.
    old = {h.passage.id: h.score for h in fused.hits}
    for doc in after[:DEPTH]:
        ratios = [h.score / old[h.passage.id] for h in ranked.hits if h.passage.doc_id == doc]
        assert ratios and max(ratios) == pytest.approx(min(ratios))


def test_without_guide_signals_the_passages_still_rank_guides(
    view: IndexView, starter_runtime: Runtime
):
    bare = replace(view, signals=None)  # a generation written before the signals existed
    lang, question = QUESTIONS[0]
    found = retrieve(bare, starter_runtime.embedder, question, lang=lang)
    assert found.documents()[0] == "passport-taken"


def test_weights_turn_signals_off_one_at_a_time():
    base = Weights()
    assert base.active and not NO_RERANK.active
    off = base.with_weight("topics", 0.0)
    assert off.topics == 0.0 and off.passages == base.passages
