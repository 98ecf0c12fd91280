"""Shared fixtures. The embedding model loads once per session; indexes are built in tmp folders."""

from __future__ import annotations

import importlib.util
import os

# Before anything imports transformers or chromadb: never reach for the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import shutil  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from bot.advisor.runtime import Runtime, build_runtime  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.index.embedders import Embedder, make_embedder  # noqa: E402
from bot.index.ingest import ingest  # noqa: E402
from tests.channels.twilio_fake import FakeTwilio  # noqa: E402
from tests.databases import PostgresCluster, server_bin  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KNOWLEDGE = ROOT / "tests" / "fixtures" / "knowledge" / "valid"
STARTER_KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real offline multilingual model, loaded once."""
    return make_embedder("e5")


def make_settings(knowledge: Path, data: Path, **extra: object) -> Settings:
    return Settings(
        knowledge_dir=knowledge, data_dir=data, embedder="e5", _env_file=None, **extra
    )


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the small valid fixture folder."""
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KNOWLEDGE, target)
    return target


# Passage vectors kept between local runs (not in CI's clean clone): the starter index
# then builds in seconds instead of minutes. The cache is keyed by model and text.
VECTOR_CACHE = ROOT / ".pytest_cache" / "bot-embeddings.sqlite3"


@pytest.fixture(scope="session")
def starter_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """The shipped knowledge/ folder, indexed once per session (a few minutes the first time)."""
    data = tmp_path_factory.mktemp("starter-data")
    if VECTOR_CACHE.exists():
        shutil.copyfile(VECTOR_CACHE, data / "embeddings.sqlite3")
    ingest(STARTER_KNOWLEDGE, data, embedder, "e5", progress=False)
    _keep_vectors(data)
    return data


def _keep_vectors(data: Path) -> None:
    VECTOR_CACHE.parent.mkdir(exist_ok=True)
    partial = VECTOR_CACHE.with_name(f"{VECTOR_CACHE.name}.{os.getpid()}")
    shutil.copyfile(data / "embeddings.sqlite3", partial)
    os.replace(partial, VECTOR_CACHE)  # atomic: parallel runs never see half a file


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    """A local server that behaves like Twilio's Messages API (tests/channels/twilio_fake.py)."""
    f = FakeTwilio().start()
    yield f
    f.stop()


@pytest.fixture(scope="session")
def starter_runtime(starter_index: Path) -> Iterator[Runtime]:
    runtime = build_runtime(make_settings(STARTER_KNOWLEDGE, starter_index))
    _keep_vectors(starter_index)  # with the example messages' vectors too
    yield runtime
    runtime.close()


# The database: the store, web and Twilio suites run on SQLite and on a real PostgreSQL.

DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster on loopback for the session (tests/databases.py).

    Without Debian's server binaries the PostgreSQL half is skipped, saying why; `make
    test` installs them, and CI (``BOT_TEST_REQUIRE_POSTGRES=1``) fails instead."""
    why = None
    if server_bin() is None:
        why = ("PostgreSQL's server binaries are not installed (`make postgres`, or "
               "apt-get install postgresql): the PostgreSQL half of the suites is skipped")
    elif importlib.util.find_spec("psycopg") is None:
        why = ("the PostgreSQL driver is not installed (pip install -e '.[postgres]'): "
               "the PostgreSQL half of the suites is skipped")
    if why is not None:
        if os.environ.get("BOT_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(why)
        pytest.skip(why)
    cluster = PostgresCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, migrated database of each kind: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    url = cluster.create()
    yield url
    cluster.drop(url)
