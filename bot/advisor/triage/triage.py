"""The triage of one message, from a classifier re-derived from the examples at every start.

``Triage`` is built once per runtime from the triage folder and the examples'
vectors (the E5 query role, like the messages it judges; the caller caches
them). Building trains the votes on all examples, and once more without each
language and without each random fifth, to choose the thresholds and measure
them: 0.5 to 1.1 s for the 1,463 examples of December 2026 on 2 busy cores.
Judging a message then takes about 0.2 ms.

A message written exactly as an example (ignoring case and spacing) gets that
example's level: an editor who adds a missed message as an example has fixed it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.advisor.triage.data import LEVELS, Example, TriageData, read_triage
from bot.advisor.triage.features import (
    COLUMNS,
    COUNTER,
    CueFeatures,
    is_countered,
    is_immediate,
    names_a_danger,
)
from bot.advisor.triage.folds import (
    Figure,
    Heldout,
    Thresholds,
    choose_thresholds,
    decide,
    figures,
    held_out,
    language_folds,
    random_folds,
    unseen_language_recall,
)
from bot.advisor.triage.votes import Scores, Votes, one_blas_thread

DEFAULT_LANG = "en"
Embed = Callable[[list[str]], Sequence[Sequence[float]]]


@dataclass(frozen=True)
class TriageVerdict:
    level: str  # urgent | sensitive | routine
    scores: dict[str, float]  # the regression's probability of each level
    urgency: float  # urgent when at least thresholds.urgent (.urgent_countered if countered)
    concern: float  # sensitive (if not urgent) when at least thresholds.sensitive
    cues: dict[str, str]  # kind (now, here, held, ..., other) -> the cue word found
    immediate: bool  # a cue says it is happening now
    countered: bool  # a cue says it is over, general or someone else's: its own threshold
    plainly: bool  # urgent, and at least as urgent as the typical urgent example
    danger: bool  # a cue says someone is held, forced or hurt (features.DANGER)
    nearest: Example  # the example most like the message
    exact: bool  # the message is one of the examples, and has its level


@dataclass(frozen=True)
class SchemeReport:
    scheme: str  # "language" (each language held out in turn) | "random" (five folds)
    overall: dict[str, Figure]  # level -> figure
    languages: dict[str, dict[str, Figure]]  # language -> level -> figure


@dataclass(frozen=True)
class CrossValidation:
    examples: int
    languages: list[str]
    thresholds: Thresholds
    hardest: Example  # the held-out urgent example that set the urgent threshold
    hardest_countered: Example  # the one that set the threshold of countered messages
    schemes: list[SchemeReport]
    unseen: dict[str, tuple[float, float | None]] = field(default_factory=dict)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


class Triage:
    def __init__(
        self,
        data: TriageData,
        vectors: Sequence[Sequence[float]],
        *,
        c: float = 4.0,
        k: int = 5,
        cue_weight: float = 0.3,
        random_k: int = 5,
        seed: int = 0,
    ) -> None:
        if len(vectors) != len(data.examples):
            raise ValueError("one vector per example is needed")
        self.data = data
        self._examples = data.examples
        self._features = CueFeatures(data.cues)
        x = np.asarray(vectors, dtype=np.float32)
        f = self._features.matrix([e.text for e in data.examples])
        y = np.array([LEVELS.index(e.level) for e in data.examples])
        against = f[:, [COLUMNS.index(kind) for kind in COUNTER]] > 0
        countered: np.ndarray = np.asarray(against.any(axis=1), dtype=bool)
        langs = [e.lang for e in data.examples]

        def votes(train: np.ndarray) -> Votes:
            return Votes(x[train], f[train], y[train], c=c, k=k, cue_weight=cue_weight)

        def fit(train: np.ndarray) -> Callable[[np.ndarray], Scores]:
            fitted = votes(train)
            return lambda test: fitted.score(x[test], f[test])

        with one_blas_thread():
            heldouts = [
                held_out("language", language_folds(langs), fit),
                held_out("random", random_folds(len(y), random_k, seed), fit),
            ]
            self.thresholds = choose_thresholds(heldouts, y, countered)
            self.report = _report(data, heldouts, self.thresholds, y, langs, countered)
            self._votes = votes(np.ones(len(y), dtype=bool))
        self._exact = {_key(e.text): e for e in data.examples}

    def judge(self, vector: Sequence[float], text: str) -> TriageVerdict:
        v = np.asarray(vector, dtype=np.float32)
        found = self._features.found(text)
        s = self._votes.score(v, self._features.row(found, text))
        urgency, concern = float(s.urgency[0]), float(s.concern[0])
        countered = is_countered(found)
        same = self._exact.get(_key(text))
        level = same.level if same else LEVELS[
            int(decide(s.urgency, s.concern, self.thresholds, np.array([countered]))[0])]
        return TriageVerdict(
            level=level,
            scores={lv: round(float(p), 4) for lv, p in zip(LEVELS, s.probabilities[0],
                                                             strict=True)},
            urgency=urgency,
            concern=concern,
            cues=found,
            immediate=is_immediate(found),
            countered=countered,
            plainly=level == "urgent" and urgency >= self.thresholds.plain,
            danger=names_a_danger(found),
            nearest=same or self._examples[self._votes.nearest(v)],
            exact=same is not None,
        )

    def definition(self, level: str, lang: str | None) -> str:
        """The words defining ``level`` in ``lang``, else in English."""
        table = self.data.definitions.get(lang or DEFAULT_LANG) or {}
        return table.get(level) or self.data.definitions.get(DEFAULT_LANG, {}).get(level, "")


def _report(
    data: TriageData, heldouts: list[Heldout], t: Thresholds, y: np.ndarray, langs: list[str],
    countered: np.ndarray,
) -> CrossValidation:
    codes = np.asarray(langs)
    languages = sorted(set(langs))
    schemes = []
    for h in heldouts:
        predicted = decide(h.urgency, h.concern, t, countered)
        per_lang = {
            lang: _named(figures(y[codes == lang], predicted[codes == lang]))
            for lang in languages
        }
        schemes.append(SchemeReport(h.scheme, _named(figures(y, predicted)), per_lang))
    return CrossValidation(
        examples=len(y),
        languages=languages,
        thresholds=t,
        hardest=data.examples[t.hardest],
        hardest_countered=data.examples[t.hardest_countered],
        schemes=schemes,
        unseen=unseen_language_recall(heldouts, y, langs, countered),
    )


def _named(by_code: dict[int, Figure]) -> dict[str, Figure]:
    return {LEVELS[code]: fig for code, fig in by_code.items()}


def build_triage(directory: Path, embed: Embed) -> Triage:
    """Read the triage folder (``TriageDataError`` names file, line and field of
    each mistake), embed its examples with ``embed`` and build the classifier."""
    data = read_triage(directory)
    return Triage(data, embed([e.text for e in data.examples]))
