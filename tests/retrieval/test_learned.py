"""The learned order of the first guides (``bot.retrieval.learned``, issue 15)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.advisor.runtime import Runtime
from bot.index.embedders import embed_query
from bot.retrieval.guides import DEFAULT_WEIGHTS, DEPTH
from bot.retrieval.learned import (
    FEATURES,
    LearnedRanker,
    country_features,
    default_ranker,
    load_ranker,
    rank_guides,
)
from bot.retrieval.retriever import CANDIDATES, retrieve


def test_the_shipped_coefficients_load():
    ranker = default_ranker()
    assert ranker is not None
    assert set(ranker.coefficients) == set(FEATURES)
    assert 1 <= ranker.depth <= DEPTH


def test_a_guide_that_names_the_users_country_comes_first_among_the_first_few():
    ranker = LearnedRanker({"topics": 10.0, "country_match": 1.0}, depth=3)
    features = {
        "topics": np.array([0.0, -0.01, -0.02, -0.03, 0.0]),
        "country_match": np.array([0.0, 0.0, 1.0, 0.0, 1.0]),
    }
    score = ranker.scores(features, 5)
    # The third guide names the country and overtakes the first two; the fifth does
    # too, but it is past the depth: recall@depth cannot change.
    assert ranker.reorder([0, 1, 2, 3, 4], score) == [2, 0, 1, 3, 4]


def test_a_missing_signal_counts_as_missing_not_as_best():
    ranker = LearnedRanker({"questions": 1.0}, depth=2)
    score = ranker.scores({"questions": np.array([np.nan, -0.05])}, 2)
    assert ranker.reorder([0, 1], score) == [1, 0]  # MISSING (-0.1) is below -0.05


def test_without_the_file_there_is_no_ranker(tmp_path: Path):
    assert load_ranker(tmp_path / "ranking.yaml") is None


@pytest.mark.parametrize(("text", "field"), [
    ("depth: 5\ncoefficients: {passages: 1.0}\n", "coefficients.passages"),
    ("depth: 5\ncoefficients: {topics: high}\n", "coefficients.topics"),
    ("depth: 40\ncoefficients: {topics: 1.0}\n", "depth"),
    ("coefficients: {topics: 1.0}\n", "depth"),
    ("depth: 5\n", "coefficients"),
])
def test_a_mistake_in_the_file_names_file_and_field(tmp_path: Path, text: str, field: str):
    path = tmp_path / "ranking.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path}: `{field}`"):
        load_ranker(path)


def test_country_features_need_a_selective_country(starter_runtime: Runtime):
    view = starter_runtime.watcher.view
    guides = ["country-nepal", "passport-taken", "country-india"]
    nepal = country_features(view, guides, "NP")
    assert nepal["country_match"].tolist() == [1.0, 0.0, 0.0]
    assert nepal["country_other"].tolist() == [0.0, 0.0, 1.0]
    assert nepal["country_specific"].tolist() == [1.0, 0.0, 1.0]
    # Nearly every guide applies in Russia: naming it says nothing.
    russia = country_features(view, guides, "RU")
    assert russia["country_match"].tolist() == [0.0, 0.0, 0.0]
    none = country_features(view, guides, None)
    assert not none["country_match"].any() and not none["country_other"].any()


QUESTION = "what will happen to me at home if I come back after serving in the russian army"


def test_without_a_ranker_the_hand_fusion_stands(starter_runtime: Runtime):
    view = starter_runtime.watcher.view
    vector = embed_query(starter_runtime.embedder, QUESTION)
    hand = retrieve(view, starter_runtime.embedder, QUESTION, lang="en", country="NP",
                    vector=vector, k=500, weights=DEFAULT_WEIGHTS.with_weight("learned", 0.0))
    assert hand.guides is not None
    dense = {"en": [(view.by_id[pid], sim)
                    for pid, sim in view.store.query(vector, CANDIDATES, lang="en")]}
    order, table = rank_guides(view, vector, "en", dense, hand.guides.guides,
                               country="NP", ranker=None)
    assert table is not None
    assert order == hand.documents()[:DEPTH]


def test_the_shipped_ranker_orders_only_the_first_guides(starter_runtime: Runtime):
    view = starter_runtime.watcher.view
    ranker = default_ranker()
    assert ranker is not None
    vector = embed_query(starter_runtime.embedder, QUESTION)
    hand = retrieve(view, starter_runtime.embedder, QUESTION, lang="en", country="NP",
                    vector=vector, k=500, weights=DEFAULT_WEIGHTS.with_weight("learned", 0.0))
    learned = retrieve(view, starter_runtime.embedder, QUESTION, lang="en", country="NP",
                       vector=vector, k=500)
    depth = ranker.depth
    assert sorted(learned.documents()[:depth]) == sorted(hand.documents()[:depth])
    assert learned.documents()[depth:] == hand.documents()[depth:]
