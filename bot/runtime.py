"""Builds the heavy things once: embedder, served index, advisor.

The web app builds a ``Runtime`` in its lifespan; the CLI builds one per
command. Tests build one per session and share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from bot.advisor.advisor import Advisor
from bot.advisor.composer import ExtractiveComposer
from bot.advisor.models import Answer, Question
from bot.advisor.strings import Strings, load_strings
from bot.channels.profiles import profile, render
from bot.config import Settings
from bot.index.embeddings import make_embedder
from bot.index.view import IndexWatcher

# Dense-similarity floor below which nothing is relevant enough to quote,
# calibrated with `bot eval --calibrate` on tests/eval/questions.yaml.
DEFAULT_MIN_RELEVANCE = {"e5": 0.825, "minilm": 0.30}
PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


def min_relevance(settings: Settings) -> float:
    if settings.min_relevance is not None:
        return settings.min_relevance
    return DEFAULT_MIN_RELEVANCE.get(settings.embedder, 0.5)


@dataclass
class Runtime:
    settings: Settings
    embedder: Embeddings
    watcher: IndexWatcher
    strings: Strings
    advisor: Advisor

    def ask(self, question: Question, channel: str | None = None) -> Answer:
        p = profile(channel)
        answer = self.advisor.answer(question, p.budget)
        answer.answer = render(answer, p.name, self.strings)
        return answer

    def close(self) -> None:
        self.watcher.stop()


def prompts_dir(settings: Settings) -> Path:
    return settings.prompts_dir if settings.prompts_dir else PROMPTS_DIR


def build_runtime(settings: Settings, *, watch: bool = False, load: bool = True) -> Runtime:
    """Load the embedder and the served index. ``watch`` follows new generations."""
    embedder = make_embedder(settings.embedder)
    watcher = IndexWatcher(
        settings.data_dir,
        embedder,
        settings.embedder,
        chroma_url=settings.chroma_url,
        interval=settings.reload_interval,
    )
    if load:
        watcher.refresh()
    if watch:
        watcher.start()
    strings = load_strings(prompts_dir(settings) / "strings")
    advisor = Advisor(
        view=lambda: watcher.view,
        embedder=embedder,
        composer=ExtractiveComposer(),
        strings=strings,
        min_relevance=min_relevance(settings),
    )
    return Runtime(settings, embedder, watcher, strings, advisor)
