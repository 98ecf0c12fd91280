"""Fitting the learned guide order (``bench.rank_learned``) on constructed cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.rank_learned import DEPTH, Case, figures, fit, held_out, learned_ranking, write
from bot.retrieval.learned import FEATURES, LearnedRanker, load_ranker


def _cases(n: int = 60) -> list[Case]:
    """The hand fusion puts the expected guide second; only ``country_match`` says which."""
    rng = np.random.default_rng(7)
    cases = []
    for k in range(n):
        guides = [f"g{k}-{i}" for i in range(6)]
        features = {name: rng.normal(0, 0.01, 6) for name in FEATURES}
        features["country_match"] = np.array([0.0, 1.0, 0.0, 0.0, 0.0, 0.0])
        cases.append(Case(lang="en" if k % 2 else "fr", translated=True,
                          expected=(guides[1],), guides=guides, hand_order=list(range(6)),
                          ranked=list(guides), features=features))
    return cases


def test_the_fit_learns_the_signal_that_finds_the_guide():
    cases = _cases()
    w = dict(zip(FEATURES, fit(cases, FEATURES), strict=True))
    assert w["country_match"] > 0
    assert figures(cases, [c.ranked for c in cases])["R@1"] == 0.0
    folds = [set(range(0, 60, 2)), set(range(1, 60, 2))]  # each language held out
    scores = figures(cases, held_out(cases, folds, FEATURES))
    assert (scores["R@1"], scores["R@5"], scores["MRR"]) == (1.0, 1.0, 1.0)


def test_the_written_file_is_what_the_service_loads(tmp_path: Path):
    cases = _cases()
    path = tmp_path / "ranking.yaml"
    write(cases, path)
    ranker = load_ranker(path)
    assert isinstance(ranker, LearnedRanker) and ranker.depth == DEPTH
    expected = dict(zip(FEATURES, fit(cases, FEATURES).tolist(), strict=True))
    assert ranker.coefficients == {k: round(v, 4) for k, v in expected.items()}
    assert learned_ranking(cases[0], ranker)[0] == cases[0].expected[0]
