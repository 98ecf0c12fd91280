"""Builds the heavy things once: embedder, served index, advisor.

The web app builds a ``Runtime`` in its lifespan (through ``RuntimeLoader``,
in the background); the CLI builds one per command. Tests build one per
session and share it (``create_app(settings, runtime)``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from bot.advisor.advisor import Advisor
from bot.advisor.composer import DEFAULT_BUDGET, Budget, ExtractiveComposer
from bot.advisor.cued import CuedCheck
from bot.advisor.cues import Cues, read_cues
from bot.advisor.examples import ExampleClassifier, read_examples
from bot.advisor.first_steps import DANGERS, FirstSteps
from bot.advisor.language import warm_up
from bot.advisor.models import Answer, Question
from bot.advisor.papers import PaperAdvisor
from bot.advisor.stated import CUES_FILE, read_stated
from bot.advisor.strings import Strings, load_strings
from bot.advisor.triage import Triage, build_triage
from bot.config import Settings, prompts_dir
from bot.index.cache import EmbeddingCache, text_hash
from bot.index.embedders import Embedder, make_embedder
from bot.index.layout import IndexLayout
from bot.index.place import IndexPlace
from bot.index.view import IndexWatcher

log = logging.getLogger(__name__)

# Dense-similarity floors below which nothing is relevant enough to quote, per
# embedder and language, calibrated with `bot eval --calibrate` on
# tests/eval/questions.yaml (the model scores some languages lower overall).
DEFAULT_MIN_RELEVANCE: dict[str, dict[str, float]] = {
    "e5": {
        "*": 0.825,
        "en": 0.83, "fr": 0.825, "ru": 0.83, "ar": 0.805, "pt": 0.805,
        "ne": 0.805, "hi": 0.795, "sw": 0.80, "am": 0.80,
    },
    "minilm": {"*": 0.30},
}


def min_relevance(settings: Settings) -> dict[str, float]:
    if settings.min_relevance is not None:
        return {"*": settings.min_relevance}
    return DEFAULT_MIN_RELEVANCE.get(settings.embedder, {"*": 0.5})


@dataclass
class Runtime:
    settings: Settings
    embedder: Embedder
    watcher: IndexWatcher
    strings: Strings
    advisor: Advisor
    safety: Strings  # prompts/safety: dangers named, whether a caseworker was alerted

    @property
    def triage(self) -> Triage | None:
        return self.advisor.triage

    def ask(self, question: Question, budget: Budget = DEFAULT_BUDGET, *,
            measure: bool = False) -> Answer:
        """The advisor's answer, not rendered: a channel lays it out (bot.channels.render)."""
        return self.advisor.answer(question, budget, measure=measure)

    @cached_property
    def papers(self) -> PaperAdvisor:
        """Photographed papers (issue 18): built at the first photo, on this runtime's parts."""
        return PaperAdvisor(self.advisor, self.strings,
                            load_strings(prompts_dir(self.settings) / "documents"),
                            lambda: self.watcher.view, self.settings.knowledge_dir)

    def close(self) -> None:
        self.watcher.stop()


def embed_examples(embedder: Embedder, texts: list[str], data_dir: Path) -> list[list[float]]:
    """Example messages' vectors, from the embedding cache when already computed.

    Hundreds of examples would otherwise be embedded at every start.
    """
    cache = EmbeddingCache(IndexLayout(data_dir).cache_file, embedder.key + "#query")
    try:
        hashes = [text_hash(t) for t in texts]
        known = cache.get_many(hashes)
        missing = [t for t, h in zip(texts, hashes, strict=True) if h not in known]
        if missing:
            vectors = embedder.embed_queries(missing)
            fresh = [(text_hash(t), np.asarray(v, dtype=np.float32))
                     for t, v in zip(missing, vectors, strict=True)]
            cache.put_many(fresh)
            known.update(fresh)
        return [known[h].tolist() for h in hashes]
    finally:
        cache.close()


def _classifier(
    embedder: Embedder, path: Path, positive: str, negative: str, margin: float, data_dir: Path
) -> ExampleClassifier | None:
    if not path.exists():
        log.warning("%s is missing: that check is off", path)
        return None
    pos = read_examples(path, positive)
    neg = read_examples(path, negative)
    vectors = embed_examples(embedder, pos + neg, data_dir)
    return ExampleClassifier(vectors[: len(pos)], vectors[len(pos) :], margin)


def _cued(
    embedder: Embedder, prompts: Path, settings: Settings, name: str, labels: tuple[str, str],
    margin_with_cue: float, margin_alone: float,
) -> CuedCheck | None:
    """The example check of ``prompts/<name>.yaml`` backed by ``prompts/<name>_cues.yaml``."""
    examples = _classifier(embedder, prompts / f"{name}.yaml", *labels, margin_with_cue,
                           settings.data_dir)
    if examples is None:
        return None
    path = prompts / f"{name}_cues.yaml"
    if path.exists():
        cues = read_cues(path)
    else:
        log.warning("%s is missing: only a close resemblance to the examples counts", path)
        cues = Cues({})
    return CuedCheck(examples, cues, margin_alone)


def _first_steps(embedder: Embedder, safety: Strings, data_dir: Path,
                 prompts: Path) -> FirstSteps:
    """The words that name each danger, in every language, as vectors (cached), the
    cues that state each one (``prompts/danger_cues.yaml``) and the heading of the
    section for everyone."""
    keys = [(danger, lang) for danger in DANGERS for lang in safety.languages
            if safety.has(f"danger_{danger}", lang)]
    texts = [safety.get(f"danger_{danger}", lang) for danger, lang in keys]
    vectors = embed_examples(embedder, texts, data_dir) if texts else []
    phrases: dict[str, dict[str, list[float]]] = {}
    for (danger, lang), vector in zip(keys, vectors, strict=True):
        phrases.setdefault(danger, {})[lang] = vector
    path = prompts / CUES_FILE
    if not path.exists():
        log.warning("%s is missing: only the first steps for everyone are given", path)
    # The heading of the section for everyone: "If" and the words of danger_unknown.
    general = {lang: safety.get("you_wrote", lang).format(
                   dangers=safety.get("danger_unknown", lang))
               for lang in safety.languages if safety.has("danger_unknown", lang)}
    return FirstSteps(phrases, read_stated(path, DANGERS), general)


def build_runtime(settings: Settings, *, watch: bool = False, load: bool = True) -> Runtime:
    """Load the embedder and the served index. ``watch`` follows new generations."""
    embedder = make_embedder(settings.embedder)
    watcher = IndexWatcher(
        IndexPlace.of(settings),
        embedder,
        settings.embedder,
        interval=settings.reload_interval,
    )
    if load:
        watcher.refresh()
    if watch:
        watcher.start()
    prompts = prompts_dir(settings)
    strings = load_strings(prompts / "strings")
    safety = load_strings(prompts / "safety")
    warm_up()
    # The triage classifier is re-derived from its editable examples at every start;
    # a folder with mistakes stops the start, naming file, line and field.
    triage = build_triage(prompts / "triage",
                          lambda texts: embed_examples(embedder, texts, settings.data_dir))
    advisor = Advisor(
        view=lambda: watcher.view,
        embedder=embedder,
        composer=ExtractiveComposer(),
        strings=strings,
        min_relevance=min_relevance(settings),
        triage=triage,
        refusals=_cued(embedder, prompts, settings, "refusals", ("refuse", "allow"),
                       settings.refusal_margin_with_cue, settings.refusal_margin),
        first_steps=_first_steps(embedder, safety, settings.data_dir, prompts),
        safety=safety,
    )
    return Runtime(settings, embedder, watcher, strings, advisor, safety)
