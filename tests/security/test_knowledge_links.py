"""Ingest refuses a link out of the knowledge folder (issue 16, finding 7).

The loader refuses it already (``bot/knowledge/files.py``); this checks that
``bot ingest`` stops there too and the served index is not touched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.index.embedders import Embedder
from bot.index.ingest import ingest


def test_ingest_refuses_a_symlink_out_of_the_knowledge_folder(
    knowledge_copy: Path, tmp_path: Path, embedder: Embedder
) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\nid: leak\n---\nBOT_SENDER_HASH_KEY=abc\n", encoding="utf-8")
    (knowledge_copy / "guides" / "en" / "leak.md").symlink_to(secret)
    data = tmp_path / "data"
    with pytest.raises(KnowledgeError) as refused:
        ingest(knowledge_copy, data, embedder, "e5", progress=False)
    assert [(p.path, p.severity) for p in refused.value.problems
            if "outside the knowledge folder" in p.message] == [("guides/en/leak.md", "error")]
    assert not (data / "index").exists()
