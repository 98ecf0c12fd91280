"""Editors' example questions (``questions:``) as a guide-level signal (issue 15).

A small folder is built and ingested for real (model, Chroma in tmp): the same
vague question ranks first whichever guide carries it as an example question.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.evaluation.ablation import variants
from bot.index.embedders import Embedder
from bot.index.ingest import ingest
from bot.index.signals import Signals
from bot.index.view import load_view
from bot.retrieval.guides import DEFAULT_WEIGHTS
from bot.retrieval.retriever import retrieve

# Vague enough that neither guide's text decides it: the example question must.
ASKED = "im scared and i dont know what to do now, who helps me"
GUIDES = {"detained-rights": "guides/en/detained.md",
          "student-visa-extension": "guides/en/student-visa.md"}


def _ask_in(knowledge: Path, doc_id: str) -> None:
    """Give ``doc_id`` the example question (and the other guide an unrelated one)."""
    for other, rel in GUIDES.items():
        path = knowledge / rel
        text = path.read_text(encoding="utf-8")
        example = ASKED if other == doc_id else "what colour is the sky"
        text = text.replace("\ntopics:", f'\nquestions: ["{example}"]\ntopics:', 1)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("doc_id", sorted(GUIDES))
def test_the_guide_with_the_matching_example_question_ranks_first(
    knowledge_copy: Path, tmp_path: Path, embedder: Embedder, doc_id: str
):
    _ask_in(knowledge_copy, doc_id)
    data = tmp_path / "data"
    ingest(knowledge_copy, data, embedder, "e5", progress=False)
    view = load_view(data, embedder, "e5")
    try:
        signals = view.signals
        assert signals is not None
        assert sorted(signals.question_docs) == sorted(GUIDES)
        assert signals.questions.shape == (2, 384)
        expected = embedder.embed_queries([ASKED])[0]  # question to question: both queries
        row = signals.question_docs.index(doc_id)
        assert np.allclose(signals.questions[row], expected, atol=1e-4)
        # Kept with the generation: the stored blob reads back the same.
        again = Signals.from_bytes(signals.to_bytes(), "g", len(view.passages))
        assert again is not None and again.question_docs == signals.question_docs
        assert np.array_equal(again.questions, signals.questions)

        ranked = retrieve(view, embedder, ASKED).documents()
        assert ranked[0] == doc_id
        off = retrieve(view, embedder, ASKED,
                       weights=DEFAULT_WEIGHTS.with_weight("questions", 0.0)).documents()
        assert sorted(off) == sorted(ranked)  # the signal reorders, never adds or drops
    finally:
        view.close()


def test_a_folder_without_example_questions_ranks_as_before(
    knowledge_copy: Path, tmp_path: Path, embedder: Embedder
):
    data = tmp_path / "data"
    ingest(knowledge_copy, data, embedder, "e5", progress=False)
    view = load_view(data, embedder, "e5")
    try:
        assert view.signals is not None and view.signals.question_docs == []
        assert view.signals.question_match(np.zeros(384, np.float32)) == {}
        question = "who can extend my student visa?"
        shipped = retrieve(view, embedder, question)
        without = retrieve(view, embedder, question,
                           weights=DEFAULT_WEIGHTS.with_weight("questions", 0.0))
        assert [h.passage.id for h in shipped.hits] == [h.passage.id for h in without.hits]
    finally:
        view.close()


def test_the_ablation_turns_the_questions_signal_off_in_turn():
    names = [name for name, _weights in variants()]
    assert ("- questions" if DEFAULT_WEIGHTS.questions else "+ questions") in names
