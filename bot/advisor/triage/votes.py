"""The two votes behind a triage level, learned from the example messages.

* A logistic regression over the three levels, on a message's embedding and
  its cue words (``features.py``): what tells the levels apart across all the
  examples (time, danger, who it happens to).
* Resemblance: the mean similarity of the ``k`` nearest examples of each level,
  as the older urgency check did. It catches a message close to a few examples
  that the regression smooths over.

Each vote yields two contrasts: *urgency* (urgent against the likelier of the
two other levels) and *concern* (sensitive against routine). Each contrast is
divided by its spread over the training examples, so neither vote drowns the
other, and the two are added.

Measured on the 1,463 examples of December 2026, with the threshold that
keeps every held-out urgent example urgent (each language held out / random
fifths): urgent precision 0.59 / 0.56 from the embedding alone; 0.82 / 0.76 with
the cue words weighted 0.3 (weighted 1.0: 0.71 / 0.66); with cues, the
regression alone 0.54 / 0.52 and resemblance alone 0.67 / 0.59: the two votes
err on different messages. ``c`` from 4 to 64 and ``k`` from 3 to 10 moved
precision by a few points (measured on the first 902 examples).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import ThreadpoolController

URGENT, SENSITIVE, ROUTINE = 0, 1, 2  # rows of LEVELS
_FLOOR = 1e-9  # a contrast that does not vary (a toy training set) is not divided by zero


@dataclass(frozen=True)
class Scores:
    urgency: np.ndarray  # (n,) higher = more urgent
    concern: np.ndarray  # (n,) higher = sensitive rather than routine
    probabilities: np.ndarray  # (n, 3) the regression's, in LEVELS order


class Votes:
    def __init__(
        self,
        vectors: np.ndarray,
        cues: np.ndarray,
        levels: np.ndarray,
        c: float = 4.0,
        k: int = 5,
        cue_weight: float = 0.3,
    ) -> None:
        """``vectors`` (n, d) unit embeddings, ``cues`` (n, 3) cue features, ``levels``
        (n,) codes of LEVELS."""
        if set(np.unique(levels)) != {URGENT, SENSITIVE, ROUTINE}:
            raise ValueError("the votes need examples of all three levels")
        self._examples = np.asarray(vectors, dtype=np.float32)
        self._levels = np.asarray(levels)
        self._k = k
        self._cue_weight = cue_weight
        inputs = self._inputs(self._examples, cues)
        # One BLAS thread: these matrices are small, and on a busy machine a second
        # thread made a fit thirty times slower (1.5 s instead of 0.05 s).
        with one_blas_thread():
            model = LogisticRegression(C=c, max_iter=5000).fit(inputs, self._levels)
        # Kept as plain arrays: judging a message is two small products, no library call.
        self._weights = model.coef_.T.astype(np.float32)
        self._bias = model.intercept_.astype(np.float32)
        own = self._examples @ self._examples.T
        np.fill_diagonal(own, -np.inf)  # an example does not resemble itself
        lr_u, lr_c = _contrasts(self._log_probabilities(inputs))
        nn_u, nn_c = _contrasts(self._resemblance(own))
        self._spread = [max(float(np.std(x)), _FLOOR) for x in (lr_u, nn_u, lr_c, nn_c)]

    def _inputs(self, vectors: np.ndarray, cues: np.ndarray) -> np.ndarray:
        return np.hstack([vectors, np.asarray(cues, dtype=np.float32) * self._cue_weight])

    def _log_probabilities(self, inputs: np.ndarray) -> np.ndarray:
        z = inputs @ self._weights + self._bias
        z -= z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def _resemblance(self, sims: np.ndarray) -> np.ndarray:
        """(n, 3): per level, the mean similarity of the ``k`` nearest examples."""
        out = np.empty((sims.shape[0], 3), dtype=np.float64)
        for level in (URGENT, SENSITIVE, ROUTINE):
            cols = sims[:, self._levels == level]
            k = min(self._k, cols.shape[1])
            out[:, level] = np.partition(cols, -k, axis=1)[:, -k:].mean(axis=1)
        return out

    def score(self, vectors: np.ndarray, cues: np.ndarray) -> Scores:
        v = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        logp = self._log_probabilities(self._inputs(v, np.atleast_2d(cues)))
        lr_u, lr_c = _contrasts(logp)
        nn_u, nn_c = _contrasts(self._resemblance(v @ self._examples.T))
        s = self._spread
        return Scores(
            urgency=lr_u / s[0] + nn_u / s[1],
            concern=lr_c / s[2] + nn_c / s[3],
            probabilities=np.exp(logp),
        )

    def nearest(self, vector: np.ndarray) -> int:
        """Index of the example most like ``vector``."""
        return int(np.argmax(self._examples @ np.asarray(vector, dtype=np.float32)))


@lru_cache(maxsize=1)
def _pools() -> ThreadpoolController:
    return ThreadpoolController()  # finds the BLAS libraries once, not at every fit


def one_blas_thread() -> Any:
    """A context in which numpy and scikit-learn use one BLAS thread."""
    return _pools().limit(limits=1, user_api="blas")


def _contrasts(per_level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Urgent against the stronger other level; sensitive against routine."""
    urgency = per_level[:, URGENT] - np.maximum(per_level[:, SENSITIVE], per_level[:, ROUTINE])
    concern = per_level[:, SENSITIVE] - per_level[:, ROUTINE]
    return urgency, concern
