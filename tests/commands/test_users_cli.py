"""``bot users``: accounts of the web app, created and changed from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import get_settings
from bot.store import Database
from bot.store.accounts import Accounts

PASSWORD = "a long cli password 42"


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    monkeypatch.setenv("BOT_DATABASE_URL", url)
    monkeypatch.setenv("BOT_NEW_PASSWORD", PASSWORD)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def bot(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "bot", "users", *args], input=stdin, capture_output=True,
        text=True, timeout=120, check=False, env={**os.environ, **(env or {})},
    )


def accounts(url: str) -> Accounts:
    return Accounts(Database(url))


def test_add_list_and_sign_in(db_url: str):
    done = bot("add", "amina", "--role", "admin")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "added amina (admin)"
    listed = bot("list")
    assert listed.stdout.splitlines() == ["amina\tadmin\tactive"]
    result = accounts(db_url).login("amina", PASSWORD)
    assert result.account is not None and result.account.role == "admin"


def test_errors_are_one_clear_line_and_exit_2(db_url: str):
    assert bot("add", "amina").returncode == 0
    again = bot("add", "amina")
    assert again.returncode == 2 and "a user named 'amina' exists already" in again.stderr
    short = bot("add", "bob", env={"BOT_NEW_PASSWORD": "short"})
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    bad = bot("add", "<b>")
    assert bad.returncode == 2 and "invalid user name" in bad.stderr
    missing = bot("unlock", "nobody")
    assert missing.returncode == 2 and "no user named 'nobody'" in missing.stderr
    role = bot("add", "carl", "--role", "root")
    assert role.returncode == 2 and "invalid choice" in role.stderr


def test_without_a_terminal_or_variable_the_password_is_not_guessed(db_url: str):
    env = {k: v for k, v in os.environ.items() if k != "BOT_NEW_PASSWORD"}
    done = subprocess.run([sys.executable, "-m", "bot", "users", "add", "dina"], env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode != 0 and "BOT_NEW_PASSWORD" in done.stderr
    assert accounts(db_url).get("dina") is None


def test_role_password_unlock_disable_enable(db_url: str):
    assert bot("add", "eli").returncode == 0
    assert bot("role", "eli", "editor").stdout.strip() == "eli is now editor"
    store = accounts(db_url)
    for _ in range(store.max_failures):
        store.login("eli", "not the right password")
    assert store.login("eli", PASSWORD).locked
    assert bot("unlock", "eli").returncode == 0
    assert store.login("eli", PASSWORD).account is not None
    new = "another long password"
    assert bot("password", "eli", env={"BOT_NEW_PASSWORD": new}).returncode == 0
    assert store.login("eli", PASSWORD).account is None
    assert store.login("eli", new).account is not None
    assert bot("disable", "eli").stdout.strip() == "eli disabled"
    assert store.login("eli", new).account is None
    assert bot("enable", "eli").returncode == 0
    user = store.get("eli")
    assert user is not None and user.role == "editor" and user.active


def test_help_explains_the_roles():
    done = subprocess.run([sys.executable, "-m", "bot", "users", "--help"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    for word in ("caseworker", "editor", "admin", "BOT_NEW_PASSWORD"):
        assert word in done.stdout
