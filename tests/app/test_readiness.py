"""Replicas on one database (issue 17): /readyz says not ready while the database, its
schema or the Chroma server cannot serve, and the service keeps trying instead of
serving a degraded "ready"; a second service on one SQLite file is refused; ids beyond
the columns' range are a 4xx on PostgreSQL too."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from bot.advisor.runtime import Runtime
from bot.app.context import AppContext
from bot.errors import ConfigError
from bot.store import Database
from bot.store.guard import DatabaseInUse
from tests.app.conftest import Web, sign_in
from tests.app.harness import ROOT, free_port, serve, twilio_settings
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN
from tests.databases import PostgresCluster


def wait_for(check: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_not_ready_until_the_database_can_be_opened_then_ready(
    tmp_path: Path, postgres: PostgresCluster, starter_runtime: Runtime
) -> None:
    url = postgres.url("not_created_yet")  # unreachable for now: the database does not exist
    settings = twilio_settings(tmp_path, None, ACCOUNT_SID, AUTH_TOKEN, database_url=url,
                               database_retry_seconds=0.2)
    with serve(settings, starter_runtime) as server:
        r = server.client.get("/readyz")
        assert r.status_code == 503
        assert "database cannot be opened" in r.json()["checks"]["database"]
        assert server.client.get("/healthz").status_code == 200  # alive, not ready
        # A webhook meanwhile gets the general contacts, not an error.
        assert server.ask("They took my passport", "+79001112233")

        created = postgres.url("not_created_yet")
        postgres._admin('CREATE DATABASE "not_created_yet"')
        try:
            wait_for(lambda: server.client.get("/readyz").status_code == 200)
            assert server.context.database is not None
            assert server.context.accounts is not None  # built on the database once open
        finally:
            server.context.database.close()  # type: ignore[union-attr]
    postgres.drop(created)


def test_not_ready_while_the_schema_is_not_this_codes(
    tmp_path: Path, database_url: str, starter_runtime: Runtime
) -> None:
    settings = twilio_settings(tmp_path, None, ACCOUNT_SID, AUTH_TOKEN,
                               database_url=database_url)
    with serve(settings, starter_runtime) as server:
        assert server.client.get("/readyz").status_code == 200
        with server.db.engine.begin() as conn:  # another release upgraded the database
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        r = server.client.get("/readyz")
        assert r.status_code == 503 and "revision 9999" in r.json()["checks"]["database"]
        with server.db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        assert server.client.get("/readyz").status_code == 200


def _chroma(path: Path, port: int) -> subprocess.Popen[bytes]:
    chroma = Path(sys.executable).with_name("chroma")
    return subprocess.Popen([str(chroma), "run", "--path", str(path), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_not_ready_while_the_chroma_server_is_down(
    tmp_path: Path, starter_runtime: Runtime
) -> None:
    port = free_port()
    settings = twilio_settings(tmp_path, None, ACCOUNT_SID, AUTH_TOKEN,
                               chroma_url=f"http://127.0.0.1:{port}")
    with serve(settings, starter_runtime) as server:
        r = server.client.get("/readyz")
        assert r.status_code == 503 and "Chroma server" in r.json()["checks"]["index"]
        chroma = _chroma(tmp_path / "chroma", port)  # a real `chroma run` on loopback
        try:
            wait_for(lambda: server.client.get("/readyz").status_code == 200)
        finally:
            chroma.terminate()
            chroma.wait(30)
        assert server.client.get("/readyz").status_code == 503


def test_a_rate_limit_storage_that_cannot_work_is_refused_not_retried(tmp_path: Path) -> None:
    """No Redis client installed: the service refuses to start, saying what to install,
    rather than retrying forever as if the database were down."""
    settings = twilio_settings(tmp_path, None, ACCOUNT_SID, AUTH_TOKEN,
                               rate_limit_storage="redis://127.0.0.1:1")
    with pytest.raises(ConfigError, match="pip install redis"):
        AppContext.open(settings)
    Database(settings.database, serving=True).close()  # nothing left holding the file


HOLD = """
import sys, time
from bot.store import Database
Database(sys.argv[1], serving=True)
print("serving", flush=True)
time.sleep(120)
"""


def test_a_second_service_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    first = subprocess.Popen([sys.executable, "-c", HOLD, url], stdout=subprocess.PIPE,
                             text=True, cwd=ROOT)
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "serving"
        with pytest.raises(DatabaseInUse, match=f"already served by process {first.pid}"):
            Database(url, serving=True)
        Database(url).close()  # a short command (bot users, bot purge) may still use it

        env = {**os.environ, "BOT_DATABASE_URL": url, "BOT_DATA_DIR": str(tmp_path / "data")}
        second = subprocess.run([sys.executable, "-m", "bot", "serve", "--port",
                                 str(free_port())], env=env, cwd=ROOT, capture_output=True,
                                text=True, timeout=120)
        assert second.returncode == 2
        assert "already served by process" in second.stderr
        assert "PostgreSQL" in second.stderr
    finally:
        first.kill()
        first.wait()
    Database(url, serving=True).close()  # the lock died with its process


def test_ids_beyond_the_columns_range_are_a_4xx(web: Web) -> None:
    """On PostgreSQL an id of 2**31 or more used to reach the query and fail with a 500."""
    with web.client() as client:
        csrf = sign_in(client, "cas")
        for path in ("/inbox/2147483648", "/inbox/2147483647"):
            assert client.get(path).status_code in (404, 422), path
        r = client.post("/api/feedback", json={"question_id": 2**31, "helpful": True},
                        headers={"X-CSRF-Token": csrf})
        assert r.status_code == 422
        r = client.post("/api/feedback", json={"question_id": 2**31 - 1, "helpful": True},
                        headers={"X-CSRF-Token": csrf})
        assert r.status_code == 404


def test_readyz_is_ready_with_every_part(web: Web) -> None:
    with httpx.Client(base_url=web.base, timeout=30) as client:
        r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"
