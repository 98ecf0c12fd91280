"""A complete audit trail (issue 16, finding 7): who did what, from where.

``bot users`` changes (role, password, unlock, disable, enable) were not audited,
nor were views of the knowledge-gaps page and the inbox, and no entry said where
it came from.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from pathlib import Path

import httpx

from bot.store import Database
from bot.store.accounts import Accounts
from bot.store.inbox import Inbox
from tests.app.harness import AppServer
from tests.security.conftest import PASSWORD, attempt, login_form_token

ROOT = Path(__file__).resolve().parents[2]


def bot(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOT_DATABASE_URL": db_url, "BOT_NEW_PASSWORD": PASSWORD}
    return subprocess.run([sys.executable, "-m", "bot", "users", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)


def test_every_users_command_is_audited_with_who_ran_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    for args in (["add", "amina", "--role", "caseworker"], ["role", "amina", "editor"],
                 ["password", "amina"], ["disable", "amina"], ["enable", "amina"],
                 ["unlock", "amina"]):
        bot(url, *args)
    db = Database(url)
    try:
        log = list(reversed(Accounts(db).audit_log()))
    finally:
        db.close()
    assert [e.action for e in log] == ["user added", "role set: editor", "password changed",
                                       "user disabled", "user enabled", "user unlocked"]
    assert all(e.target == "user:amina" for e in log)
    assert {e.address for e in log} == {f"cli:{getpass.getuser()}"}


def test_views_of_users_texts_are_audited_with_the_address(app: AppServer) -> None:
    app.accounts.add("amina", "caseworker", PASSWORD)
    app.ask("AGENT", "+79161230003")  # a conversation for the inbox
    [item] = Inbox(app.db).conversations("active")
    with httpx.Client(base_url=app.base, timeout=60) as client:
        r = client.post("/login", data={"name": "amina", "password": PASSWORD,
                                        "csrf_token": login_form_token(client)})
        assert r.status_code == 303
        for page in ("/inbox", "/gaps", f"/inbox/{item.id}"):
            assert client.get(page).status_code == 200, page
    actions = {e.action: e for e in app.accounts.audit_log()}
    for action in ("sign-in", "viewed inbox", "viewed gaps", "read"):
        assert action in actions, action
        assert actions[action].address == "127.0.0.1"
        assert actions[action].user_name == "amina"


def test_a_failed_sign_in_records_the_address_but_not_a_made_up_name(app: AppServer) -> None:
    app.accounts.add("amina", "caseworker", PASSWORD)
    attempt(app.base, "amina", "not the password")
    attempt(app.base, "correct horse battery", "x")  # a password typed as the name
    failed = [e for e in app.accounts.audit_log() if e.action == "sign-in failed"]
    assert {e.user_name for e in failed} == {"amina", "(unknown name)"}
    assert {e.address for e in failed} == {"127.0.0.1"}
