"""A Chroma server behind a TLS proxy that checks a token (``BOT_CHROMA_TOKEN``,
``BOT_CHROMA_CA_FILE``): the real ``chroma run`` behind a local stand-in of the proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigError, IndexError_
from bot.index.chroma_server import ChromaServer
from bot.index.embedders import Embedder
from bot.index.ingest import ingest
from bot.index.place import IndexPlace
from bot.index.view import load_view
from tests.chroma_process import ChromaProcess
from tests.conftest import make_settings
from tests.index.token_proxy import TokenProxy

TOKEN = "s3cret-token-for-the-proxy"


@pytest.fixture
def proxy(chroma: ChromaProcess, tmp_path: Path) -> Iterator[TokenProxy]:
    p = TokenProxy(chroma.url, TOKEN, tmp_path).start()
    yield p
    p.stop()


def settings_for(proxy: TokenProxy, knowledge: Path, data: Path, **extra: object) -> Settings:
    values: dict[str, object] = {"chroma_url": proxy.url, "chroma_token": TOKEN,
                                 "chroma_ca_file": proxy.cert,
                                 "chroma_database": f"tls_{data.name}",
                                 "database_url": f"sqlite:///{data.parent / 'shared.sqlite3'}"}
    values.update(extra)
    return make_settings(knowledge, data, **values)


def test_token_and_certificate_reach_the_server(
    proxy: TokenProxy, knowledge_copy: Path, tmp_path: Path, embedder: Embedder
) -> None:
    settings = settings_for(proxy, knowledge_copy, tmp_path / "job")
    place = IndexPlace.of(settings, migrate=True)
    try:
        report = ingest(knowledge_copy, place, embedder, "e5", progress=False)
        view = load_view(place, embedder, "e5")
        try:
            assert view.generation == report.generation
            assert view.store.count() == report.passages
        finally:
            view.close()
    finally:
        place.close()
    assert proxy.forwarded > 0 and proxy.refused == 0


def test_without_the_token_the_proxy_refuses_and_the_error_says_where(
    proxy: TokenProxy, knowledge_copy: Path, tmp_path: Path, embedder: Embedder
) -> None:
    settings = settings_for(proxy, knowledge_copy, tmp_path / "job", chroma_token=None,
                            chroma_database="tls_no_token")
    place = IndexPlace.of(settings, migrate=True)
    try:
        with pytest.raises(IndexError_) as refused:
            ingest(knowledge_copy, place, embedder, "e5", progress=False)
    finally:
        place.close()
    assert proxy.url in str(refused.value)
    assert proxy.refused > 0 and proxy.forwarded == 0


def test_a_certificate_the_client_cannot_verify_is_refused(
    proxy: TokenProxy, knowledge_copy: Path, tmp_path: Path, embedder: Embedder
) -> None:
    settings = settings_for(proxy, knowledge_copy, tmp_path / "job", chroma_ca_file=None,
                            chroma_database="tls_no_ca")
    place = IndexPlace.of(settings, migrate=True)
    try:
        with pytest.raises(IndexError_, match="(?i)certificate"):
            ingest(knowledge_copy, place, embedder, "e5", progress=False)
    finally:
        place.close()
    assert proxy.forwarded == 0


def test_token_headers() -> None:
    bearer = ChromaServer("https://chroma.example:8443", token="t0k")
    assert bearer.headers() == {"Authorization": "Bearer t0k"}
    assert (bearer.host, bearer.port, bearer.tls) == ("chroma.example", 8443, True)
    custom = ChromaServer("http://10.0.0.5", token="t0k", auth_header="X-Chroma-Token")
    assert custom.headers() == {"X-Chroma-Token": "t0k"}
    assert (custom.port, custom.tls) == (8000, False)
    assert ChromaServer("http://127.0.0.1:8000").headers() == {}


def test_bad_chroma_settings_are_refused_with_their_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="BOT_CHROMA_URL"):
        ChromaServer("chroma:8000")
    with pytest.raises(ConfigError, match="BOT_CHROMA_CA_FILE"):
        ChromaServer("https://chroma:8000", ca_file=tmp_path / "missing.pem")
    with pytest.raises(ConfigError, match="BOT_CHROMA_VERIFY_TLS"):
        Settings(_env_file=None, env="production",  # type: ignore[call-arg]
                 sender_hash_key="Zq8-vT3xLp0_Rw5yNc7uKb2MhE9sJd4AfG6t",
                 chroma_url="https://chroma:8000", chroma_verify_tls=False)
