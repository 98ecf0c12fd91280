"""The threshold rule: every held-out urgent example stays urgent; the figures it reports.

No model here: the rule is fed scores, and the classifier small made-up vectors.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.advisor.triage import LEVELS, Triage, TriageData
from bot.advisor.triage.data import Example
from bot.advisor.triage.folds import (
    Heldout,
    choose_thresholds,
    decide,
    figures,
    language_folds,
    random_folds,
    unseen_language_recall,
)
from bot.advisor.triage.votes import ROUTINE, SENSITIVE, URGENT

U, S, R = URGENT, SENSITIVE, ROUTINE


def heldout(scheme: str, urgency: list[float], concern: list[float]) -> Heldout:
    return Heldout(scheme, np.array(urgency, dtype=float), np.array(concern, dtype=float))


LEVELS_OF = np.array([U, U, U, S, S, R, R])
BY_LANGUAGE = heldout("language", [2.0, 0.5, 1.0, 0.7, -1.0, 0.6, -2.0],
                      [0.0, 0.0, 0.0, 1.0, 0.2, -0.5, -1.0])
RANDOM = heldout("random", [1.5, 0.9, 0.3, 0.1, -1.0, 0.4, -2.0],
                 [0.0, 0.0, 0.0, 0.8, 0.3, -0.4, -1.0])


def test_the_urgent_threshold_is_the_lowest_held_out_urgent_score_of_either_way():
    t = choose_thresholds([BY_LANGUAGE, RANDOM], LEVELS_OF)
    assert t.urgent == 0.3 and t.hardest == 2  # example 2, held out at random
    for h in (BY_LANGUAGE, RANDOM):
        predicted = decide(h.urgency, h.concern, t)
        assert figures(LEVELS_OF, predicted)[U].recall == 1.0


def test_false_alarms_are_counted_not_hidden():
    t = choose_thresholds([BY_LANGUAGE, RANDOM], LEVELS_OF)
    by_language = figures(LEVELS_OF, decide(BY_LANGUAGE.urgency, BY_LANGUAGE.concern, t))
    # Examples 3 (sensitive, 0.7) and 5 (routine, 0.6) pass 0.3: 3 of 5 flagged are urgent.
    assert by_language[U].precision == pytest.approx(3 / 5)
    assert by_language[U].support == 3


def test_the_sensitive_threshold_has_the_best_f1_below_the_urgent_one():
    t = choose_thresholds([BY_LANGUAGE, RANDOM], LEVELS_OF)
    # Below 0.3: example 4 (sensitive, concern 0.2 / 0.3), 6 (routine, -1.0) both ways,
    # and example 3 at random (sensitive, 0.8). 0.2 catches every sensitive one and no routine.
    assert t.sensitive == 0.2
    assert list(decide(RANDOM.urgency, RANDOM.concern, t)) == [U, U, U, S, S, U, R]


def test_figures_of_a_level_never_predicted_or_never_present_are_none():
    f = figures(np.array([R, R]), np.array([R, R]))
    assert f[U].precision is None and f[U].recall is None and f[U].support == 0
    assert f[R].precision == 1.0 and f[R].recall == 1.0


def test_folds_hold_out_each_language_and_random_fifths():
    langs = ["en", "fr", "en", "ar", "fr"]
    assert [list(m) for m in language_folds(langs)] == [
        [False, False, False, True, False], [True, False, True, False, False],
        [False, True, False, False, True],
    ]
    folds = random_folds(12, k=5, seed=3)
    assert sum(m.astype(int) for m in folds).tolist() == [1] * 12  # each example once
    assert sorted(int(m.sum()) for m in folds) == [2, 2, 2, 3, 3]
    assert [list(m) for m in random_folds(12, k=5, seed=3)] == [list(m) for m in folds]


def test_a_threshold_set_on_the_other_languages_is_checked_on_each_language():
    langs = ["en", "en", "fr", "fr", "fr", "en", "fr"]
    levels = np.array([U, R, U, U, S, R, R])
    h = heldout("language", [0.5, 0.7, 0.2, 1.0, 0.1, -1.0, 0.3], [0.0] * 7)
    unseen = unseen_language_recall([h], levels, langs)
    # fr's threshold comes from en's only urgent example (0.5): fr's 0.2 is missed.
    assert unseen["fr"] == (0.5, 1.0)
    # en's comes from fr's (lowest 0.2): en's urgent 0.5 is caught, its routine 0.7 too.
    assert unseen["en"] == (1.0, 0.5)


# -- the classifier on made-up vectors ---------------------------------------------------

DIM = 16


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def toy() -> tuple[TriageData, np.ndarray]:
    """Three languages; each level a cloud around its own direction."""
    rng = np.random.default_rng(7)
    centres = {level: unit(rng.normal(size=DIM)) for level in LEVELS}
    examples, vectors = [], []
    for lang in ("en", "fr", "sw"):
        for level in LEVELS:
            for i in range(8):
                word = {"urgent": "now", "sensitive": "ago", "routine": "if"}[level]
                examples.append(Example(f"{lang} {level} {i} {word}", level, lang, f"{lang}.yaml",
                                        i + 1))
                vectors.append(unit(centres[level] + 0.6 * rng.normal(size=DIM)))
    definitions = {lang: {lv: f"{lang} {lv}" for lv in LEVELS} for lang in ("en", "fr")}
    cues = {"en": {"now": ["now"], "past": ["ago"], "general": ["if"]}}
    return TriageData(definitions, examples, cues), np.array(vectors)


def test_every_held_out_urgent_example_is_urgent_in_the_report():
    data, vectors = toy()
    triage = Triage(data, vectors)
    report = triage.report
    assert report.examples == 72 and report.languages == ["en", "fr", "sw"]
    assert [s.scheme for s in report.schemes] == ["language", "random"]
    for scheme in report.schemes:
        assert scheme.overall["urgent"].recall == 1.0
        assert all(scheme.languages[lang]["urgent"].recall == 1.0 for lang in report.languages)
    assert set(report.unseen) == {"en", "fr", "sw"}
    assert report.hardest.level == "urgent"
    assert report.thresholds.urgent == pytest.approx(triage.thresholds.urgent)


def test_a_message_written_as_an_example_gets_its_level():
    data, vectors = toy()
    triage = Triage(data, vectors)
    routine = next(e for e in data.examples if e.level == "routine")
    urgent_vector = vectors[[e.level for e in data.examples].index("urgent")]
    verdict = triage.judge(urgent_vector, "  " + routine.text.upper() + " ")
    assert verdict.level == "routine" and verdict.exact and verdict.nearest == routine


def test_a_verdict_names_its_scores_cues_and_nearest_example():
    data, vectors = toy()
    triage = Triage(data, vectors)
    verdict = triage.judge(vectors[0], "they hold me now")
    assert verdict.level == "urgent" and not verdict.exact
    assert set(verdict.scores) == set(LEVELS) and sum(verdict.scores.values()) == pytest.approx(
        1.0, abs=1e-3)
    assert verdict.cues == {"now": "now"}
    assert verdict.urgency >= triage.thresholds.urgent
    assert verdict.nearest.level == "urgent"


def test_definitions_fall_back_to_english():
    data, vectors = toy()
    triage = Triage(data, vectors)
    assert triage.definition("urgent", "fr") == "fr urgent"
    assert triage.definition("urgent", "sw") == "en urgent"
    assert triage.definition("routine", None) == "en routine"


def test_one_vector_per_example_is_required():
    data, vectors = toy()
    with pytest.raises(ValueError, match="one vector per example"):
        Triage(data, vectors[:-1])


def test_plainly_urgent_is_the_median_held_out_urgent_score():
    t = choose_thresholds([BY_LANGUAGE, RANDOM], LEVELS_OF)
    # Held-out urgent scores: 2.0, 0.5, 1.0 and 1.5, 0.9, 0.3: the median is 0.95.
    assert t.plain == pytest.approx(0.95)


def test_a_cue_against_urgency_lowers_only_the_bar_of_messages_that_hold_one():
    """An urgent example about someone else, or with a word of the past, scores low (those
    cues count against urgency); it sets the bar of messages with such a cue only."""
    levels = np.array([U, U, R, R])
    countered = np.array([True, False, True, False])
    h = heldout("random", [0.2, 0.8, 0.5, 0.6], [0.0] * 4)
    t = choose_thresholds([h], levels, countered)
    assert (t.urgent_countered, t.urgent) == (0.2, 0.8)
    assert (t.hardest_countered, t.hardest) == (0, 1)
    # The routine message without a cue (0.6) stays routine; the one with a cue (0.5) is
    # flagged: the false alarm is counted, not hidden.
    assert list(decide(h.urgency, h.concern, t, countered)) == [U, U, U, R]
