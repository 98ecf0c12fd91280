"""An editor runs `bot ingest` while `bot serve` is answering: no restart, no failure.

Both are real processes, as in production: the server owns its view of the
index, the ingest publishes a new generation beside it, and the server switches
within seconds. A client keeps asking the whole time; every request must
succeed and the new content must be cited within a minute.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.app.conftest import PASSWORD, sign_in
from tests.ports import free_port

NEW_DOC = """---
id: sakharovo-queue
title: The queue at the Sakharovo migration centre
lang: en
countries: [RU]
topics: [migration, documents]
referrals: [embassy-finder]
sources:
  - title: Example source
    url: https://example.org/sakharovo
status: published
reviewed_by: Legal team, Example NGO
reviewed_on: "2026-11-01"
review_due: "2099-12-31"
---
## Papers at the Sakharovo centre
At the Sakharovo migration centre, count the zyxwvut forms before you sign any of them.
"""
QUESTION = "How many zyxwvut forms at the Sakharovo migration centre?"



def _env(knowledge: Path, data: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        BOT_KNOWLEDGE_DIR=str(knowledge),
        BOT_DATA_DIR=str(data),
        BOT_EMBEDDER="e5",
        BOT_RELOAD_INTERVAL="1",
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
    )
    return env


def _bot(*args: str, env: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env, capture_output=True, text=True, timeout=300, check=False, **kw,  # type: ignore[arg-type]
    )


def test_ingest_while_serving_switches_without_failures(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    env = _env(knowledge_copy, data)
    first = _bot("ingest", "--quiet", env=env)
    assert first.returncode == 0, first.stderr
    user = _bot("users", "add", "tester", "--role", "caseworker",
                env={**env, "BOT_NEW_PASSWORD": PASSWORD})
    assert user.returncode == 0 and "added tester (caseworker)" in user.stdout, user.stderr

    port = free_port()
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    failures: list[str] = []
    answered = 0
    stop = threading.Event()

    def keep_asking() -> None:
        nonlocal answered
        with httpx.Client(base_url=base, timeout=30) as client:
            client.headers["X-CSRF-Token"] = sign_in(client, "tester")
            while not stop.is_set():
                try:
                    r = client.post("/api/ask", json={"question": "Can I have a lawyer?"})
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                    continue
                if r.status_code != 200:
                    failures.append(f"{r.status_code} {r.text[:200]}")
                else:
                    answered += 1

    try:
        deadline = time.monotonic() + 300  # start-up embeds the triage examples: slow when busy
        with httpx.Client(base_url=base, timeout=5) as client:
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.3)
            client.headers["X-CSRF-Token"] = sign_in(client, "tester")
            before = client.post("/api/ask", json={"question": QUESTION}).json()
            assert "sakharovo-queue" not in {c["doc_id"] for c in before["citations"]}

            asker = threading.Thread(target=keep_asking, daemon=True)
            asker.start()
            new_file = knowledge_copy / "guides" / "en" / "sakharovo.md"
            new_file.write_text(NEW_DOC, encoding="utf-8")
            second = _bot("ingest", "--quiet", env=env)
            assert second.returncode == 0, second.stderr
            assert "1 added" in second.stdout

            published_at = time.monotonic()
            cited: set[str] = set()
            while time.monotonic() - published_at < 60:
                answer = client.post("/api/ask", json={"question": QUESTION, "lang": "en"})
                assert answer.status_code == 200, answer.text
                cited = {c["doc_id"] for c in answer.json()["citations"]}
                if "sakharovo-queue" in cited:
                    break
                time.sleep(0.5)
            assert "sakharovo-queue" in cited, "the new document was not served within a minute"
            time.sleep(1.0)  # let the background client run on the new index too
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)

    assert failures == []
    assert answered > 0
    assert "database is locked" not in log_path.read_text()
