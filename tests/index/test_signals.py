"""``bot.index.signals``: the guide-level vectors written beside each generation (issue 15).

Real model, real Chroma, a copy of the small fixture folder in tmp.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from bot.index.embedders import Embedder, embed_query
from bot.index.ingest import ingest
from bot.index.layout import SIGNALS_FILE, IndexLayout
from bot.index.signals import card_text
from bot.index.view import load_view
from bot.retrieval.retriever import retrieve


def test_signals_fit_the_generation_they_sit_beside(
    knowledge_copy: Path, tmp_path: Path, embedder: Embedder
):
    data = tmp_path / "data"
    report = ingest(knowledge_copy, data, embedder, "e5", progress=False)
    view = load_view(data, embedder, "e5")
    try:
        signals = view.signals
        assert signals is not None
        assert signals.headings.shape == (len(view.passages), 384)
        assert sorted(signals.docs) == sorted(view.documents)  # published only: no draft
        assert signals.cards.shape == signals.topics.shape == (len(signals.docs), 384)
        # A card is the title and the headings of that guide, in its own language.
        doc = view.documents[("detained-rights", "en")]
        headings = list(dict.fromkeys(p.section for p in view.passages
                                      if (p.doc_id, p.lang) == (doc.doc_id, doc.lang)))
        row = signals.rows[(doc.doc_id, doc.lang)]
        expected = embedder.embed_queries([card_text(doc, headings)])[0]
        assert np.allclose(signals.cards[row], expected, atol=1e-4)
        assert report.generation is not None
    finally:
        view.close()


def test_a_generation_without_signals_is_served_and_rebuilt_once(
    knowledge_copy: Path, tmp_path: Path, embedder: Embedder
):
    data = tmp_path / "data"
    first = ingest(knowledge_copy, data, embedder, "e5", progress=False)
    layout = IndexLayout(data)
    assert first.generation is not None
    (layout.generation_dir(first.generation) / SIGNALS_FILE).unlink()  # an older version's

    old = load_view(data, embedder, "e5")
    try:
        assert old.signals is None
        question = "The police arrested me, what are my rights?"
        with_signals_off = retrieve(old, embedder, question)
        assert with_signals_off.hits  # ranked on passages alone, nothing breaks
    finally:
        old.close()

    second = ingest(knowledge_copy, data, embedder, "e5", progress=False)
    assert second.generation != first.generation and second.embedded == 0
    assert (layout.generation_dir(second.generation or "") / SIGNALS_FILE).exists()
    third = ingest(knowledge_copy, data, embedder, "e5", progress=False)
    assert third.generation == second.generation  # nothing to rebuild any more


def test_signals_that_do_not_fit_are_ignored(
    knowledge_copy: Path, tmp_path: Path, embedder: Embedder
):
    data = tmp_path / "data"
    report = ingest(knowledge_copy, data, embedder, "e5", progress=False)
    layout = IndexLayout(data)
    view = load_view(data, embedder, "e5")
    try:
        assert view.signals is not None
        shorter = replace(view.signals, headings=view.signals.headings[:-1])
        (layout.generation_dir(report.generation or "") / SIGNALS_FILE).write_bytes(
            shorter.to_bytes())
    finally:
        view.close()
    view = load_view(data, embedder, "e5")
    try:
        assert view.signals is None
        assert retrieve(view, embedder, "visa", vector=embed_query(embedder, "visa")).hits
    finally:
        view.close()
