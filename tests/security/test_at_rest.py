"""What stays on the disk (issue 16, finding 7): sent replies only redacted, files
readable by their owner only.

Caseworkers' replies were kept unredacted in ``outbox.body`` after sending (a number
or a name they typed to the user), and the database file was created 0644.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from bot.store import Database
from bot.store.inbox import Inbox
from bot.store.models import OutboxRow
from tests.app.harness import AppServer
from tests.channels.twilio_fake import FakeTwilio
from tests.security.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
NUMBER = "+7 916 555 44 33"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_caseworker_reply_is_kept_only_redacted_once_sent(
    app: AppServer, fake: FakeTwilio
) -> None:
    user = app.accounts.add("amina", "caseworker", PASSWORD)
    app.ask("AGENT", "+79161230004")
    [item] = Inbox(app.db).conversations("active")
    text = f"Call the lawyer on {NUMBER} today."
    assert app.delivery.caseworker_reply(Inbox(app.db), item.id, user.id, text,
                                         nonce="reply-0001").queued
    [sent] = fake.wait_sent(1)
    assert sent["body"] == text  # the user got the number...
    deadline = time.monotonic() + 10
    while True:
        with app.db.session() as s:
            row = s.scalars(select(OutboxRow)).one()
            if row.status == "sent":
                break
        assert time.monotonic() < deadline, row.status
        time.sleep(0.05)
    assert NUMBER not in row.body and "[number]" in row.body  # ... the disk keeps no copy
    assert row.sealed_to is None


def test_the_database_files_are_the_owners_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a usual umask: files would be world-readable
    try:
        path = tmp_path / "data" / "bot.sqlite3"
        db = Database(f"sqlite:///{path}")
        try:
            with db.session() as s:
                s.add(OutboxRow(idempotency_key="k", sender_id="s", channel="sms",
                                from_address="+1", body="b"))
            files = [path, path.with_name("bot.sqlite3-wal"), path.with_name("bot.sqlite3-shm")]
            for f in files:
                assert f.exists() and mode(f) == 0o600, (f.name, oct(mode(f)))
            assert mode(path.parent) == 0o700
        finally:
            db.close()
    finally:
        os.umask(old)


def test_an_older_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    Database(f"sqlite:///{path}").close()
    path.chmod(0o644)
    Database(f"sqlite:///{path}").close()
    assert mode(path) == 0o600


def test_files_bot_commands_create_are_the_owners_only(tmp_path: Path) -> None:
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "data"),
           "BOT_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'bot.sqlite3'}"}
    subprocess.run(f"umask 022; exec {sys.executable} -m bot users list", shell=True,
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    for f in (tmp_path / "data").iterdir():
        assert mode(f) & 0o077 == 0, (f.name, oct(mode(f)))
