"""The dangers a message states in words, from cue lists per danger and language.

The first-steps guide has one section per danger (``first_steps.py``). A section that
speaks to a condition ("if you are thinking about hurting yourself", "if you already
signed") is given only when the message states that condition: a cue of that danger,
in any language we serve (``prompts/danger_cues.yaml``), never the closeness of the
message to the section alone. "What now?" states no danger; a message that states
none gets the section meant for everyone.

Being pushed to sign now and having signed exclude each other: a message with cues of
both ("they made me sign a paper last month, now they say it is an army contract")
states the signature that happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from bot.advisor.cues import Cues

CUES_FILE = "danger_cues.yaml"


class StatedDangers:
    def __init__(self, cues: Mapping[str, Cues]) -> None:
        self._cues = dict(cues)

    @property
    def dangers(self) -> frozenset[str]:
        """The dangers that have cues."""
        return frozenset(self._cues)

    def of(self, text: str) -> frozenset[str]:
        """The dangers ``text`` states."""
        found = {danger for danger, cues in self._cues.items() if cues.find(text)}
        if {"signing", "signed"} <= found:
            found.discard("signing")
        return frozenset(found)


def read_stated(path: Path, dangers: tuple[str, ...]) -> StatedDangers:
    """The cues of ``path``: danger -> language -> cues. A mistake names file and field."""
    if not path.exists():
        return StatedDangers({})
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: expected a mapping of dangers to languages to cues")
    cues: dict[str, Cues] = {}
    for danger, by_lang in data.items():
        if danger not in dangers:
            raise ValueError(f"{path}: `{danger}` is not a danger ({', '.join(dangers)})")
        if not isinstance(by_lang, Mapping):
            raise ValueError(f"{path}: `{danger}` must map languages to lists of cues")
        for lang, items in by_lang.items():
            if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
                raise ValueError(f"{path}: `{danger}.{lang}` must be a list of words or phrases")
        cues[danger] = Cues(by_lang)
    return StatedDangers(cues)
