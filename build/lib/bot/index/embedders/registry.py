"""The embedder a setting names, built once per process."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from bot.index.embedders.base import Embedder
from bot.index.embedders.e5 import E5Embedder
from bot.index.embedders.sentence_models import MiniLMEmbedder, SentenceTransformerEmbedder

# BOT_EMBEDDER values with a backend of their own; any other value is a
# sentence-transformers model name or path.
BACKENDS: dict[str, Callable[[], Embedder]] = {
    "e5": E5Embedder,
    "minilm": MiniLMEmbedder,
}


@lru_cache(maxsize=4)
def make_embedder(name: str) -> Embedder:
    backend = BACKENDS.get(name)
    return backend() if backend is not None else SentenceTransformerEmbedder(name)
