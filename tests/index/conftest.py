"""Servers for the shared-index tests: one real ``chroma run`` per session, and the session's
PostgreSQL cluster (tests/conftest.py); each test gets its own Chroma database and its own SQL
database on them."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import Settings
from tests.chroma_process import ChromaProcess
from tests.conftest import make_settings


@pytest.fixture(scope="session")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaProcess]:
    server = ChromaProcess(tmp_path_factory.mktemp("chroma-server")).start()
    yield server
    server.stop()


@dataclass
class Shared:
    """One deployment: a Chroma database on the server and one SQL database, shared by
    every replica; each replica (and each ingest job) has a data folder of its own."""

    chroma_url: str
    chroma_database: str
    database_url: str
    knowledge: Path
    root: Path

    def settings(self, replica: str, **extra: object) -> Settings:
        values: dict[str, object] = {"chroma_url": self.chroma_url,
                                     "chroma_database": self.chroma_database,
                                     "database_url": self.database_url,
                                     "reload_interval": 0.2}
        values.update(extra)
        return make_settings(self.knowledge, self.root / replica, **values)


@pytest.fixture(params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path: Path, chroma: ChromaProcess,
           knowledge_copy: Path) -> Shared:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").create()  # the session's cluster
    else:
        url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return Shared(chroma.url, f"test_{secrets.token_hex(6)}", url, knowledge_copy, tmp_path)
