"""``bot.app`` over real HTTP: uvicorn on a loopback port, httpx as the client."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from bot.app import create_app
from bot.app.context import context_of
from bot.config import Settings
from bot.index.embedders import Embedder
from bot.index.ingest import ingest
from bot.store.accounts import AccountError
from tests.app.conftest import PASSWORD, sign_in
from tests.conftest import STARTER_KNOWLEDGE, make_settings
from tests.ports import free_port

ANSWER_KEYS = {"status", "urgent", "language", "answer", "citations", "referrals"}
CITATION_KEYS = {"n", "doc_id", "title", "section", "path", "url", "quote"}
REFERRAL_KEYS = {"id", "name", "kind", "phone", "whatsapp", "email", "web", "hours"}
# Fields added beyond DESIGN.md (allowed: "more fields may be added"); anything else is a leak.
EXTRA_ANSWER_KEYS = {"reason", "direction", "triage", "dangers"}
EXTRA_CITATION_KEYS = {"lang"}
# name_en / warning_en: the English beside a name or warning shown in the user's language.
EXTRA_REFERRAL_KEYS = {"notes", "telegram", "warning", "verified_on", "tested_on", "name_en",
                       "warning_en"}
INTERNAL = {"sentences", "notice", "intro", "steps", "danger", "caveat", "alert"}
DEADLINE = 300.0  # loading embeds the example messages: slow on a busy machine



API_USER = "api-tester"


@contextmanager
def serving(settings: Settings) -> Iterator[httpx.Client]:
    """The app on a real socket, in a background thread, stopped cleanly afterwards.

    The client is signed in as a caseworker and sends the session's CSRF token.
    """
    port = free_port()
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + DEADLINE
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped during start-up"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    accounts = context_of(app).accounts  # opened by the lifespan
    assert accounts is not None
    try:
        accounts.add(API_USER, "caseworker", PASSWORD)
    except AccountError:
        pass  # the data folder is shared by the session's tests
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            client.headers["X-CSRF-Token"] = sign_in(client, API_USER)
            yield client
    finally:
        server.should_exit = True
        thread.join(30)
        assert not thread.is_alive(), "uvicorn did not stop"


def wait_ready(client: httpx.Client) -> list[int]:
    """Poll /readyz until it says ready; the status codes seen on the way."""
    seen: list[int] = []
    deadline = time.monotonic() + DEADLINE
    while True:
        r = client.get("/readyz")
        seen.append(r.status_code)
        if r.status_code == 200:
            return seen
        assert r.status_code == 503, r.text
        assert r.json()["status"] == "not ready" and r.json()["detail"]
        assert time.monotonic() < deadline, f"never ready: {r.json()}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def client(starter_index: Path) -> Iterator[httpx.Client]:
    with serving(make_settings(STARTER_KNOWLEDGE, starter_index)) as c:
        seen = wait_ready(c)
        assert set(seen[:-1]) <= {503} and seen[-1] == 200
        yield c


def ask(client: httpx.Client, **body: object) -> httpx.Response:
    return client.post("/api/ask", json=body)


def test_healthz(client: httpx.Client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_names_the_generation(client: httpx.Client, starter_index: Path):
    r = client.get("/readyz")
    assert r.status_code == 200
    current = (starter_index / "index" / "CURRENT").read_text().strip()
    assert r.json() == {"status": "ready", "index": current}


@pytest.mark.parametrize("channel", [None, "web", "sms", "whatsapp"])
def test_ask_returns_exactly_the_answer_contract(client: httpx.Client, channel):
    r = ask(client, question="My employer took my passport, what can I do?", lang="en",
            country="ru", channel=channel)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert set(data) == ANSWER_KEYS | EXTRA_ANSWER_KEYS
    assert not INTERNAL & set(data)
    assert data["status"] == "answered" and data["reason"] is None
    assert data["urgent"] is False and data["language"] == "en"
    assert isinstance(data["answer"], str) and data["answer"]
    assert data["citations"] and data["referrals"]
    for c in data["citations"]:
        assert set(c) == CITATION_KEYS | EXTRA_CITATION_KEYS
        assert isinstance(c["n"], int) and c["quote"] and c["path"].startswith("guides/")
        assert f"[{c['n']}]" in data["answer"]
    assert [c["n"] for c in data["citations"]] == list(range(1, len(data["citations"]) + 1))
    for ref in data["referrals"]:
        assert set(ref) == REFERRAL_KEYS | EXTRA_REFERRAL_KEYS
        assert ref["id"] and ref["name"] and ref["kind"]


def test_ask_out_of_scope_is_a_200_no_answer(client: httpx.Client):
    r = ask(client, question="How do I bake a chocolate cake?")
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "no_answer" and data["citations"] == [] and data["referrals"]
    assert set(data) == ANSWER_KEYS | EXTRA_ANSWER_KEYS


@pytest.mark.parametrize(
    "body",
    [
        {"question": ""},
        {"question": "x" * 3000},
        {"question": "Where is my passport?", "channel": "fax"},
        {"question": "Where is my passport?", "lang": "english"},
        {"question": "Where is my passport?", "country": "Russia"},
        {"lang": "en"},
        {"question": 42},
    ],
    ids=["empty", "3000-chars", "bad-channel", "bad-lang", "bad-country", "missing", "not-text"],
)
def test_bad_requests_get_422(client: httpx.Client, body: dict):
    r = client.post("/api/ask", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


def test_api_docs_page_is_served_offline_to_signed_in_users(client: httpx.Client):
    page = client.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert scripts and styles
    for asset in scripts + styles:  # from this server, never from a CDN
        assert asset.startswith("/"), asset
        assert client.get(asset).status_code == 200, asset
    # Swagger UI itself comes from the swagger-ui-bundle package.
    assert "/docs/assets/swagger-ui-bundle.js" in scripts
    assert len(client.get("/docs/assets/swagger-ui-bundle.js").content) > 100_000
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    with httpx.Client(base_url=str(client.base_url), timeout=30) as stranger:
        assert stranger.get("/docs").status_code == 401
        assert stranger.get("/openapi.json").status_code == 401


def test_openapi_is_served_to_signed_in_users(client: httpx.Client):
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    schema = spec.json()
    assert "/api/ask" in schema["paths"] and "/healthz" in schema["paths"]
    assert "post" in schema["paths"]["/api/ask"]
    answer = schema["components"]["schemas"]["Answer"]["properties"]
    assert ANSWER_KEYS <= set(answer) and not INTERNAL & set(answer)


def test_empty_data_dir_is_not_ready_until_an_ingest(
    tmp_path: Path, knowledge_copy: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="bot")  # as `bot serve` logs
    data = tmp_path / "data"
    settings = make_settings(knowledge_copy, data, reload_interval=0.2)
    with serving(settings) as c:
        # Wait until the runtime has loaded and found no index.
        deadline = time.monotonic() + DEADLINE
        while "bot ingest" not in (detail := c.get("/readyz").json().get("detail", "")):
            assert time.monotonic() < deadline, detail
            time.sleep(0.05)
        for _ in range(5):  # it stays not ready
            assert c.get("/readyz").status_code == 503
            r = ask(c, question="Who extends my student visa?")
            assert r.status_code == 503
            assert "bot ingest" in r.json()["detail"]
            time.sleep(0.1)
        assert c.get("/healthz").status_code == 200
        # The log says what the service is doing, and why it is not ready yet.
        said = [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]
        assert any("/readyz answers 503 until" in m for m in said), said
        assert any("not ready: no index" in m and "bot ingest" in m for m in said), said

        # An editor runs the ingest: the service picks the index up without a restart.
        report = ingest(knowledge_copy, data, embedder, "e5", progress=False)
        seen = wait_ready(c)
        assert seen[-1] == 200
        assert c.get("/readyz").json()["index"] == report.generation
        r = ask(c, question="Who extends my student visa?", lang="en")
        assert r.status_code == 200 and r.json()["status"] == "answered"
        assert r.json()["citations"][0]["doc_id"] == "student-visa-extension"
