"""`make bench-ask` (bench/ask_scale.py): a generated folder indexed by the real ingest with
vectors mixed from real ones (the model is never asked for a passage), served through
the real query path with the real model, and the BM25 index's figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.ask_scale import GivenVectors, build, lexical
from bench.ingest import passages_of
from bot.index.embedders import Embedder
from bot.index.view import load_view
from bot.retrieval.retriever import retrieve
from tests.conftest import FIXTURE_KNOWLEDGE


def real_pool(embedder: Embedder) -> np.ndarray:
    texts = [p.embedding_text() for p in passages_of(FIXTURE_KNOWLEDGE)][:6]
    return np.asarray(embedder.embed_passages(texts), dtype=np.float32)


def test_a_generated_index_is_built_from_given_vectors_once_and_served(
        tmp_path: Path, embedder: Embedder) -> None:
    knowledge, data, built = build(50, tmp_path, real_pool(embedder))
    assert built["passages"] == 50
    assert built["ingest"]["embedded"] == 50  # by GivenVectors, not by the model
    assert json.loads((data.parent / "build.json").read_text()) == built

    again = build(50, tmp_path, np.zeros((1, 384), dtype=np.float32))  # cached: not rebuilt
    assert again == (knowledge, data, built)

    view = load_view(data, embedder, "e5")
    try:
        assert len(view.passages) == 50
        found = retrieve(view, embedder, "My employer took my passport", lang="en")
        assert found.hits  # the real query path runs over the given vectors
    finally:
        view.close()


def test_given_vectors_are_unit_vectors_fixed_by_the_text(embedder: Embedder) -> None:
    given = GivenVectors(real_pool(embedder), embedder.key)
    one, two, again = given.embed_passages(["first passage", "second passage", "first passage"])
    assert one == again and one != two
    assert np.linalg.norm(one) == pytest.approx(1.0, abs=1e-5)
    assert len(one) == len(embedder.embed_queries(["a question"])[0])


def test_lexical_figures_time_the_exact_tokens_of_the_questions_that_have_any() -> None:
    texts = ["Article 24.2 of the law on foreigners", "Call 8-800-333-00-16 for help",
             "Your passport belongs to you", "An employer may not keep a passport"]
    figures = lexical(texts, ["What does Article 24.2 say?", "Where is my passport?"])
    assert figures["passages"] == 4 and figures["questions"] == 2
    assert figures["build_s"] >= 0
    assert figures["exact_tokens"]["n"] == 1  # only the question with "24.2" looks any up
    assert figures["every_token"]["n"] == 2
    assert 0 <= figures["exact_tokens"]["p50_us"] <= figures["exact_tokens"]["max_us"]
