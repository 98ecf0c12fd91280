"""Production-safe defaults and refusals (issue 16, findings 6 and 7).

A default container used the public development key (anyone with the database
could decrypt phone numbers); production accepted a key of 32 spaces or
``"a" * 32``, an ``http://`` public URL and a one-character Twilio token; no HSTS,
and ``Server: uvicorn`` on every answer.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from bot.config import Settings, weak_secret
from bot.errors import ConfigError
from tests.app.harness import NeverLoaded, free_port

ROOT = Path(__file__).resolve().parents[2]
STRONG = "Zq7-vK2m_Tr9xLp4Wn8bYc3Hd6Fj1Gs5"
TOKEN = "0123456789abcdef" * 2
SID = "AC" + "0123456789abcdef" * 2


def production(**values: Any) -> Settings:
    base: dict[str, Any] = dict(env="production", sender_hash_key=STRONG)
    base.update(values)
    return Settings(_env_file=None, **base)


@pytest.mark.parametrize("key", [" " * 32, "a" * 32, "ab" * 20, "password" * 5,
                                 "development-only-sender-hash-key", "short-Key-1"])
def test_weak_sender_keys_are_refused_naming_the_setting(key: str) -> None:
    with pytest.raises(ConfigError, match="BOT_SENDER_HASH_KEY"):
        production(sender_hash_key=key)


def test_generated_keys_pass() -> None:
    production()
    production(sender_hash_key=secrets.token_urlsafe(32))
    rng = random.Random(16)  # 2,000 random 32-digit hex keys: none is refused
    keys = ["".join(rng.choice("0123456789abcdef") for _ in range(32)) for _ in range(2000)]
    assert [k for k in keys if weak_secret(k)] == []


def test_the_previous_key_of_a_rotation_must_be_strong_and_different() -> None:
    with pytest.raises(ConfigError, match="BOT_SENDER_HASH_KEY_PREVIOUS"):
        production(sender_hash_key_previous="a" * 32)
    with pytest.raises(ConfigError, match="BOT_SENDER_HASH_KEY_PREVIOUS"):
        production(sender_hash_key_previous=STRONG)
    production(sender_hash_key_previous=secrets.token_hex(16))


def test_an_http_public_url_is_refused() -> None:
    with pytest.raises(ConfigError, match="BOT_PUBLIC_BASE_URL.*https"):
        production(public_base_url="http://bot.example.org")
    production(public_base_url="https://bot.example.org")


def test_short_twilio_tokens_and_malformed_account_ids_are_refused() -> None:
    url = "https://bot.example.org"
    with pytest.raises(ConfigError, match="BOT_TWILIO_AUTH_TOKEN"):
        production(public_base_url=url, twilio_auth_token="t")
    with pytest.raises(ConfigError, match="BOT_TWILIO_ACCOUNT_SID"):
        production(public_base_url=url, twilio_auth_token=TOKEN, twilio_account_sid="AC1")
    production(public_base_url=url, twilio_auth_token=TOKEN, twilio_account_sid=SID)


def test_development_is_unchanged() -> None:
    Settings(_env_file=None, sender_hash_key="a" * 32, public_base_url="http://127.0.0.1:8000",
             twilio_auth_token="t")


def test_the_container_runs_in_production_and_demands_its_secrets() -> None:
    dockerfile = (ROOT / "infra" / "Dockerfile").read_text(encoding="utf-8")
    assert "BOT_ENV=production" in dockerfile
    assert "requirements.lock" in dockerfile  # installs exactly what was tested
    assert "BOT_SENDER_HASH_KEY=" not in dockerfile  # no key baked into the image
    # And the image's settings refuse to start without the key.
    with pytest.raises(ConfigError, match="BOT_SENDER_HASH_KEY"):
        Settings(_env_file=None, env="production")


def test_production_answers_carry_hsts_and_no_server_header(tmp_path: Path) -> None:
    from bot.app import create_app
    from bot.commands.serve import server_config

    settings = production(data_dir=tmp_path / "data", knowledge_dir=ROOT / "knowledge",
                          database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    port = free_port()
    server = uvicorn.Server(server_config(create_app(settings, NeverLoaded(settings)),
                                          "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        for path in ("/healthz", "/login", "/nowhere"):
            r = httpx.get(f"http://127.0.0.1:{port}{path}")
            assert "server" not in r.headers, (path, r.headers)
            assert r.headers["strict-transport-security"].startswith("max-age="), path
    finally:
        server.should_exit = True
        thread.join(10)
