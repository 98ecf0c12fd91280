"""Triage: how soon a message needs a person, in three levels.

* ``urgent``: danger to liberty or life now or within hours (detained, locked
  in, made to sign now, sent to the front, hurt without care, suicidal now).
* ``sensitive``: harm that is over, or goes on without a danger within hours
  (a past assault, wages withheld, a passport kept, a relative missing).
* ``routine``: questions and everything else.

The words that define each level, and the example messages each level is
learned from, are editable files in ``prompts/triage/<lang>.yaml`` (``data.py``).
The classifier (``votes.py``) and its thresholds (``folds.py``) are derived from
those examples every time a runtime starts (``triage.py``); nothing learned is
stored anywhere else.
"""

from bot.advisor.triage.data import LEVELS, Example, TriageData, TriageDataError, read_triage
from bot.advisor.triage.triage import CrossValidation, Triage, TriageVerdict, build_triage

__all__ = [
    "LEVELS",
    "CrossValidation",
    "Example",
    "Triage",
    "TriageData",
    "TriageDataError",
    "TriageVerdict",
    "build_triage",
    "read_triage",
]
