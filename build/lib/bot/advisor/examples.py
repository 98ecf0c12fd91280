"""Decisions by resemblance to example messages kept in editable files under ``prompts/``.

Keywords miss "they have my pasport" and fire on "what if police ever take my
passport". Comparing a message's embedding with labelled examples in many
languages does better, and editors can fix a miss by adding an example. Each
label's score is the mean similarity of its ``k`` nearest examples; the
decision is the margin between the two labels against a calibrated threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import yaml


def read_examples(path: Path, label: str) -> list[str]:
    """Every example under ``label`` (a mapping of language -> list of texts)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    by_lang = data.get(label) or {}
    if not isinstance(by_lang, Mapping):
        raise ValueError(f"{path}: `{label}` must map language codes to lists of messages")
    texts: list[str] = []
    for lang, items in by_lang.items():
        if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
            raise ValueError(f"{path}: `{label}.{lang}` must be a list of messages")
        texts.extend(t.strip() for t in items if t.strip())
    return texts


class ExampleClassifier:
    """Built from the example messages' embeddings (the E5 query role, like the
    messages they are compared with)."""

    def __init__(
        self,
        positive: Sequence[Sequence[float]],
        negative: Sequence[Sequence[float]],
        threshold: float,
        k: int = 10,
    ) -> None:
        if not len(positive) or not len(negative):
            raise ValueError("an example classifier needs examples of both labels")
        self._pos = np.asarray(positive, dtype=np.float32)
        self._neg = np.asarray(negative, dtype=np.float32)
        self.threshold = threshold
        self.k = k

    def _score(self, matrix: np.ndarray, vector: np.ndarray) -> float:
        sims = matrix @ vector
        k = min(self.k, len(sims))
        return float(np.mean(np.partition(sims, -k)[-k:]))

    def margin(self, vector: Sequence[float]) -> float:
        """How much closer the vector is to the positive examples than to the negative."""
        v = np.asarray(vector, dtype=np.float32)
        return self._score(self._pos, v) - self._score(self._neg, v)
