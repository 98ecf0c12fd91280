"""Cue words as features: does a message say *now*, *it is past*, or *in general*?

The embedding knows what a message is about but barely tells "they are holding
me at the station now, what are my rights" from "what are my rights if the
police detain me". Three lists of words per language (``cues`` in
``prompts/triage/<lang>.yaml``) say it plainly; the regression learns how much
each counts, so a cue never decides alone. The matching is ``bot/advisor/cues.py``:
whole words in order, any case, every language's cues in every message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from bot.advisor.cues import Cues
from bot.advisor.triage.data import CUE_KINDS


class CueFeatures:
    def __init__(self, by_lang: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        self._cues = {
            kind: Cues({lang: kinds.get(kind, ()) for lang, kinds in by_lang.items()})
            for kind in CUE_KINDS
        }

    def found(self, text: str) -> dict[str, str]:
        """Kind -> the cue found in ``text``, for the kinds found."""
        out = {}
        for kind, cues in self._cues.items():
            cue = cues.find(text)
            if cue is not None:
                out[kind] = cue
        return out

    @staticmethod
    def row(found: Mapping[str, str]) -> np.ndarray:
        """(1, 3): 1 for each kind of cue found."""
        return np.asarray([[kind in found for kind in CUE_KINDS]], dtype=np.float32)

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 3): 1 where a text holds a cue of that kind."""
        rows = [self.row(self.found(t)) for t in texts]
        return np.vstack(rows) if rows else np.zeros((0, len(CUE_KINDS)), dtype=np.float32)
