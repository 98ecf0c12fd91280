"""Passage vectors kept by (model, text hash), so unchanged text is never embedded twice.

The ingesting process writes passage vectors (under the ingest lock); a starting
service adds the vectors of the example messages in ``prompts/``. SQLite in WAL
mode with a busy timeout lets the two meet safely; a serving process never
embeds passages.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, path: Path, model_key: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors ("
            " model TEXT NOT NULL, hash TEXT NOT NULL, vector BLOB NOT NULL,"
            " PRIMARY KEY (model, hash))"
        )
        self._model = model_key

    def get_many(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({marks})",
                [self._model, *chunk],
            )
            for h, blob in rows:
                found[h] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (model, hash, vector) VALUES (?, ?, ?)",
                [
                    (self._model, h, np.asarray(v, dtype=np.float32).tobytes())
                    for h, v in items
                ],
            )

    def prune(self, keep: set[str]) -> int:
        """Forget vectors of this model whose text is no longer in the knowledge."""
        rows = self._db.execute("SELECT hash FROM vectors WHERE model = ?", [self._model])
        gone = [h for (h,) in rows if h not in keep]
        with self._db:
            self._db.executemany(
                "DELETE FROM vectors WHERE model = ? AND hash = ?", [(self._model, h) for h in gone]
            )
        return len(gone)

    def close(self) -> None:
        self._db.close()
