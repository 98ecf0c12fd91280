"""Killing the process between failed sends loses nothing: the outbox delivers once.

`python -m bot serve` runs as a real subprocess with the reply deadline at 0
(every reply goes through the outbox). The local fake Twilio fails the first
three sends; the server is killed with SIGKILL after the second failure and
started again on the same database; the reply then arrives exactly once.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.app.harness import PROFILE, PUBLIC, ROOT, free_port, message, sign
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

SENDER = "+79001112233"
PASSPORT = "AB7654321"


def _start(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )


def _wait_ready(base: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 400
    with httpx.Client(base_url=base, timeout=5) as client:
        while True:
            assert server.poll() is None, log_path.read_text()
            try:
                if client.get("/readyz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)


def test_kill_9_between_failures_loses_nothing(tmp_path: Path, starter_index: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(starter_index, data)  # one process per index folder
    fake = FakeTwilio().start()
    fake.fail_next(3, status=500)
    env = dict(os.environ)
    env.update(
        BOT_KNOWLEDGE_DIR=str(ROOT / "knowledge"), BOT_DATA_DIR=str(data), BOT_EMBEDDER="e5",
        BOT_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}", BOT_PUBLIC_BASE_URL=PUBLIC,
        BOT_TWILIO_ACCOUNT_SID=ACCOUNT_SID, BOT_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        BOT_TWILIO_API_BASE_URL=fake.base_url, BOT_TWILIO_REPLY_DEADLINE="0",
        BOT_OUTBOX_BACKOFF="0.5", BOT_OUTBOX_POLL_INTERVAL="0.1",
        BOT_SENDER_HASH_KEY="restart-test-key-" + "y" * 32,
        HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    server = _start(env, port, log_path)
    try:
        _wait_ready(base, server, log_path)
        params = message(f"They took my passport {PASSPORT} at work, call me on {SENDER}",
                         SENDER)
        signature = sign(AUTH_TOKEN, PUBLIC + "/twilio/whatsapp", params)
        with httpx.Client(base_url=base, timeout=30) as client:
            r = client.post("/twilio/whatsapp", data=params,
                            headers={"X-Twilio-Signature": signature})
        assert r.status_code == 200

        deadline = time.monotonic() + 60
        while fake.attempts < 2:
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.02)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        assert fake.sent == []

        server = _start(env, port, log_path)
        _wait_ready(base, server, log_path)
        sent = fake.wait_sent(1, timeout=60)
        time.sleep(1.0)  # a duplicate would show up within the backoff
        assert len(fake.sent) == 1, log_path.read_text()
        assert sent[0]["to"] == "whatsapp:" + SENDER
        assert fake.attempts == 4

        # A redelivery of the same webhook after the restart is not answered again.
        with httpx.Client(base_url=base, timeout=30) as client:
            r = client.post("/twilio/whatsapp", data=params,
                            headers={"X-Twilio-Signature": signature})
        assert r.status_code == 200 and "<Message>" not in r.text
        time.sleep(0.5)
        assert len(fake.sent) == 1
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        fake.stop()

    # Check 8, for a real process: its logs and its database hold no raw number,
    # no profile name, no passport number.
    logs = log_path.read_text()
    digits = SENDER.lstrip("+")
    for secret in (digits, PROFILE, PASSPORT):
        assert secret not in logs
    for f in tmp_path.glob("bot.sqlite3*"):
        raw = f.read_bytes()
        for secret in (digits, PROFILE, PASSPORT):
            assert secret.encode() not in raw, f.name
