"""The seam every embedding model implements, and what the project asks of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Embedder(Protocol):
    """Turns texts into unit vectors, in two roles.

    Passages (what is indexed) and queries (what users write) are embedded
    differently by models trained with roles, such as E5's ``passage:`` and
    ``query:``; a model without roles embeds both alike.
    """

    # A stable name of the model and its version: vectors of different keys never
    # mix (the embedding cache, the index snapshot and the gap report key by it).
    key: str

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]: ...


def embed_query(embedder: Embedder, text: str) -> list[float]:
    """One query's vector (a user's message, a question under evaluation)."""
    return embedder.embed_queries([text])[0]
