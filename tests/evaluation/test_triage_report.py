"""The triage header of ``bot eval``: what sets the urgent bars, said once when they agree."""

from __future__ import annotations

from bot.advisor.triage import CrossValidation, Example
from bot.advisor.triage.folds import Thresholds
from bot.evaluation.triage_report import cross_validation_lines

CALM = Example("they want my signature now", "urgent", "en", "prompts/triage/en.yaml", 98)
OVER = Example("my friend was held yesterday", "urgent", "en", "prompts/triage/en.yaml", 120)


def header(countered_bar: float, countered: Example) -> list[str]:
    bars = Thresholds(urgent=-0.469, urgent_countered=countered_bar, sensitive=-0.119,
                      hardest=0, hardest_countered=1, plain=1.453)
    cv = CrossValidation(examples=2, languages=["en"], thresholds=bars, hardest=CALM,
                         hardest_countered=countered, schemes=[])
    return cross_validation_lines(cv)


def test_one_bar_and_one_example_are_said_once():
    first, second = header(-0.469, CALM)
    assert "urgent when urgency >= -0.469; else sensitive when concern >= -0.119" in first
    assert "with a cue" not in first
    assert second == "  the urgent example that sets it: prompts/triage/en.yaml:98 " \
                     "'they want my signature now'"


def test_two_bars_and_two_examples_are_both_named():
    first, second = header(-0.2, OVER)
    assert ("urgent when urgency >= -0.469, or >= -0.200 with a cue that it is over, "
            "general or someone else's;") in first
    assert second.startswith("  the urgent examples that set them: prompts/triage/en.yaml:98")
    assert second.endswith("prompts/triage/en.yaml:120 'my friend was held yesterday'")
