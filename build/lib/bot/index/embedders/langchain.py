"""An ``Embedder`` as LangChain's ``Embeddings``, for code written against LangChain.

The project itself never needs it; the benchmark's baseline (a plain
LangChain + Chroma retriever) does.
"""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from bot.index.embedders.base import Embedder, embed_query


class LangChainEmbeddings(Embeddings):
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts)

    def embed_query(self, text: str) -> list[float]:
        return embed_query(self.embedder, text)


def as_langchain(embedder: Embedder) -> Embeddings:
    return LangChainEmbeddings(embedder)
