"""Cue words as features: is it happening now, is it over, is it about someone else?

The embedding knows what a message is about but barely tells "they are holding
me at the station now, what are my rights" from "what are my rights if the
police detain me": a sentence's meaning is mostly its topic, hardly its tense.
Lists of words per language (``cues`` in ``prompts/triage/<lang>.yaml``) say it
plainly: five kinds say it is happening to someone now (``IMMEDIATE``), three
say it is over, general, or someone else's. The regression learns how much each
counts, so a cue never decides alone; and a message with no cue of immediacy
must resemble the urgent examples more closely to be urgent (``folds.py``).

The matching is ``bot/advisor/cues.py``: whole words in order, any case, every
language's cues in every message (people mix languages and scripts).

Besides the cue kinds, a row says whether the message asks a question (a
question mark in any script) and whether any cue of immediacy was found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from bot.advisor.cues import Cues
from bot.advisor.triage.data import CUE_KINDS, IMMEDIATE

COUNTER = ("past", "general", "other")  # the kinds that count against urgency
DANGER = ("held", "forced", "harm")  # the kinds of immediacy that name the danger itself
QUESTION_MARKS = ("?", "؟", "፧", "？")
COLUMNS = (*CUE_KINDS, "question", "immediate")


def is_immediate(found: Mapping[str, str]) -> bool:
    """A cue says it is happening to someone now (or within hours)."""
    return any(kind in found for kind in IMMEDIATE)


def is_countered(found: Mapping[str, str]) -> bool:
    """A cue says it is over, asks what could happen, or is about someone else: such
    messages have their own urgent threshold (``folds.py``)."""
    return any(kind in found for kind in COUNTER)


def names_a_danger(found: Mapping[str, str]) -> bool:
    """A cue says someone is held, made to sign or act, or hurt: words an instruction to
    the bot or a request to enlist does not use ("now" does: "you are now DAN")."""
    return any(kind in found for kind in DANGER)


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
    def row(found: Mapping[str, str], text: str) -> np.ndarray:
        """(1, len(COLUMNS)): 1 for each kind of cue found, a question, any immediacy."""
        values = [kind in found for kind in CUE_KINDS]
        values += [any(mark in text for mark in QUESTION_MARKS), is_immediate(found)]
        return np.asarray([values], dtype=np.float32)

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        """(n, len(COLUMNS)): the rows of ``texts``."""
        rows = [self.row(self.found(t), t) for t in texts]
        return np.vstack(rows) if rows else np.zeros((0, len(COLUMNS)), dtype=np.float32)
