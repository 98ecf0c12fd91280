"""A decision by resemblance to example messages, backed by cue words.

    positive = margin >= margin_alone                       (very like the examples)
            or (margin >= margin_with_cue and a cue is found)  (like them, and a cue)

The refusal check uses it: instructions to the bot, requests for a recruiter,
and requests far from the guidance. The examples are ``prompts/refusals.yaml``,
the cues topic words far from the guidance (``refusals_cues.yaml``: weather,
recipe, homework). The margin comes from the example check (``examples.py``),
the cues from ``cues.py``. A cue alone never decides. (Whether a message is
urgent is the triage's to say: ``bot/advisor/triage``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.advisor.cues import Cues
from bot.advisor.examples import ExampleClassifier


@dataclass(frozen=True)
class CuedVerdict:
    positive: bool
    margin: float  # closer to the positive than to the negative examples by this much
    cue: str | None  # the cue found in the message, if any
    alone: bool  # so close to the examples that no cue was needed


class CuedCheck:
    def __init__(self, examples: ExampleClassifier, cues: Cues, margin_alone: float) -> None:
        self.examples = examples  # its threshold is the margin needed with a cue
        self.cues = cues
        self.margin_alone = margin_alone

    @property
    def margin_with_cue(self) -> float:
        return self.examples.threshold

    def judge(self, vector: Sequence[float], text: str) -> CuedVerdict:
        margin = self.examples.margin(vector)
        cue = self.cues.find(text)
        alone = margin >= self.margin_alone
        positive = alone or (cue is not None and margin >= self.margin_with_cue)
        return CuedVerdict(positive=positive, margin=margin, cue=cue, alone=alone)
