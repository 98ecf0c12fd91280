"""The urgency rule: resemblance to urgent examples, backed by a cue of immediacy.

No model here: the cues are plain text, and the example check is fed small vectors.
"""

from __future__ import annotations

import math

import pytest
import yaml

from bot.advisor.cued import CuedCheck
from bot.advisor.cues import Cues, read_cues
from bot.advisor.examples import ExampleClassifier
from bot.config import PROMPTS_DIR
from bot.evaluation.metrics import Outcome, calibrate_urgency
from bot.evaluation.questions import EvalQuestion
from bot.text.languages import SERVED

CUES = Cues({
    "en": ["right now", "took my", "locked*"],
    "fr": ["aidez-moi", "en finir"],
    "ar": ["مقدرش امشي", "اخدوا*"],
    "hi": ["अभी"],
})


@pytest.mark.parametrize(("text", "cue"), [
    ("they TOOK MY passport", "took my"),
    ("we are locked in", "locked*"),
    ("lockedin since monday", "locked*"),  # a final * takes any ending
    ("sign it right now!", "right now"),
    ("Aidez moi svp", "aidez-moi"),  # hyphens and spaces alike
    ("j'ai envie d'en finir", "en finir"),  # elided words are words
    ("صاحب الشغل ومقدرش امشي", "مقدرش امشي"),  # a joined "and" is not part of the word
    ("واخدوا الباسبور", "اخدوا*"),
    ("मालिक बोल रहा अभी साइन करो।", "अभी"),  # vowel signs belong to the word
])
def test_cues_match_whole_words_in_any_language(text: str, cue: str):
    assert CUES.find(text) == cue


@pytest.mark.parametrize("text", [
    "is it legal that my employer took passports of others",  # "took my" not in order
    "can they lock up foreigners",  # "lock" is not "locked*"
    "what if they take my phone right",  # "right" without "now"
    "وكيل السفر",  # a word that starts with the joined letter is left whole
    "",
])
def test_no_cue(text: str):
    assert CUES.find(text) is None


def test_the_shipped_cues_cover_every_language_we_serve():
    assert len(read_cues(PROMPTS_DIR / "urgency_cues.yaml")) > 100
    listed = yaml.safe_load((PROMPTS_DIR / "urgency_cues.yaml").read_text(encoding="utf-8"))
    assert set(SERVED) <= set(listed)


def test_malformed_cues_file_is_a_clear_error(tmp_path):
    path = tmp_path / "urgency_cues.yaml"
    path.write_text("en: now\n", encoding="utf-8")
    with pytest.raises(ValueError, match="`en` must be a list"):
        read_cues(path)


# -- the rule --------------------------------------------------------------------------

URGENT, CALM = [1.0, 0.0], [0.0, 1.0]


def check(with_cue: float = 0.1, alone: float = 0.5) -> CuedCheck:
    examples = ExampleClassifier([URGENT], [CALM], threshold=with_cue, k=1)
    return CuedCheck(examples, Cues({"en": ["right now"]}), margin_alone=alone)


def vector(margin: float) -> list[float]:
    """A unit vector whose margin (urgent minus calm similarity) is ``margin``:
    cos(a) - sin(a) = sqrt(2) cos(a + pi/4)."""
    a = math.acos(margin / math.sqrt(2)) - math.pi / 4
    return [math.cos(a), math.sin(a)]


@pytest.mark.parametrize(("margin", "text", "urgent"), [
    (0.6, "what are my rights", True),  # very like the urgent examples: no cue needed
    (0.3, "what are my rights", False),  # like them, but says nothing of now
    (0.3, "they want me to sign right now", True),  # like them, and now
    (0.05, "they want me to sign right now", False),  # a cue alone is never enough
])
def test_urgent_needs_a_close_resemblance_or_a_resemblance_and_a_cue(margin, text, urgent):
    verdict = check().judge(vector(margin), text)
    assert verdict.margin == pytest.approx(margin, abs=1e-6)
    assert verdict.positive is urgent
    assert verdict.alone is (margin >= 0.5)  # the resemblance decided without a cue
    assert (verdict.cue == "right now") is ("right now" in text)


# -- calibration -----------------------------------------------------------------------


def outcome(margin: float, cue: bool, urgent: bool) -> Outcome:
    q = EvalQuestion(question="?", lang="en", country=None, expect_docs=(),
                     expect_urgent=urgent, expect_status="no_answer", line=1)
    return Outcome(q, [], 0.0, "no_answer", [], False, urgency_margin=margin,
                   urgency_cue="now" if cue else None)


def test_calibration_finds_both_margins():
    outcomes = [
        outcome(0.05, True, True), outcome(0.04, True, True), outcome(0.30, False, True),
        outcome(0.04, False, False), outcome(0.20, False, False), outcome(0.01, True, False),
    ]
    best = calibrate_urgency(outcomes, min_recall=1.0)
    assert best == {"margin": 0.04, "margin_alone": 0.3, "recall": 1.0, "precision": 1.0}
