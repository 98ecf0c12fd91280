"""Is the writer in danger now? Resemblance to urgent examples, backed by a cue.

    urgent = margin >= margin_alone                       (very like the urgent examples)
          or (margin >= margin_with_cue and a cue is found)  (like them, and says "now")

The margin comes from the example check over ``prompts/urgency.yaml``
(``examples.py``); the cues from ``prompts/urgency_cues.yaml`` (``cues.py``).
Both thresholds are calibrated with ``bot eval --calibrate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.advisor.cues import Cues
from bot.advisor.examples import ExampleClassifier


@dataclass(frozen=True)
class UrgencyVerdict:
    positive: bool
    margin: float  # closer to urgent than to non-urgent examples by this much
    cue: str | None  # the cue found in the message, if any


class UrgencyCheck:
    def __init__(self, examples: ExampleClassifier, cues: Cues, margin_alone: float) -> None:
        self.examples = examples  # its threshold is the margin needed with a cue
        self.cues = cues
        self.margin_alone = margin_alone

    @property
    def margin_with_cue(self) -> float:
        return self.examples.threshold

    def judge(self, vector: Sequence[float], text: str) -> UrgencyVerdict:
        margin = self.examples.judge(vector).margin
        cue = self.cues.find(text)
        positive = margin >= self.margin_alone or (
            cue is not None and margin >= self.margin_with_cue
        )
        return UrgencyVerdict(positive=positive, margin=margin, cue=cue)
