"""Names and texts that read differently from what they are (issue 16, finding 7).

``CW1`` could be created beside ``cw1``; a caseworker's reply could carry U+202E or a
zero-width space to a user's phone. (Knowledge fields refuse these already:
``bot/knowledge/fields.py``.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.channels.twilio.delivery import BadReply
from bot.store import Database
from bot.store.accounts import AccountError, Accounts
from bot.store.inbox import Inbox
from bot.store.migrations import migrate
from tests.app.harness import AppServer
from tests.security.conftest import PASSWORD


@pytest.mark.parametrize("name", ["cw\n1", "cw\u200b1", "cw\u202e1", " "])
def test_hidden_characters_in_user_names_are_refused(tmp_path: Path, name: str) -> None:
    db = Database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    try:
        with pytest.raises(AccountError, match="invalid user name"):
            Accounts(db).add(name, "caseworker", PASSWORD)
    finally:
        db.close()


def test_a_database_with_names_that_differ_only_in_case_is_migrated_safely(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    engine = create_engine(url)
    migrate(engine, "0001")  # as it was before names ignored case
    with engine.begin() as conn:
        for name in ("cw1", "CW1"):
            conn.execute(text(
                "INSERT INTO users (name, role, password_hash, active, failed_logins, "
                "created_at) VALUES (:n, 'caseworker', 'x', 1, 0, '2026-12-01')"), {"n": name})
    engine.dispose()
    db = Database(url)
    try:
        users = {u.name: u for u in Accounts(db).users()}
        assert users["cw1"].active and not users["CW1"].active  # the newer one waits for
        assert any(e.action == "user disabled" and e.target == "user:CW1"  # an admin
                   for e in Accounts(db).audit_log())
    finally:
        db.close()


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\u2066", "\u200f"])
def test_a_caseworker_reply_with_hidden_characters_is_refused(
    app: AppServer, hidden: str
) -> None:
    user = app.accounts.add("amina", "caseworker", PASSWORD)
    app.ask("AGENT", "+79161230005")
    [item] = Inbox(app.db).conversations("active")
    with pytest.raises(BadReply, match=f"U\\+{ord(hidden):04X}"):
        app.delivery.caseworker_reply(Inbox(app.db), item.id, user.id,
                                      f"Call +7 916 55{hidden}5 44 33", nonce="reply-0002")


def test_a_caseworker_reply_is_nfkc_normalised(app: AppServer, fake) -> None:  # type: ignore[no-untyped-def]
    user = app.accounts.add("amina", "caseworker", PASSWORD)
    app.ask("AGENT", "+79161230006")
    [item] = Inbox(app.db).conversations("active")
    app.delivery.caseworker_reply(Inbox(app.db), item.id, user.id, "Call ８００ now",
                                  nonce="reply-0003")
    [sent] = fake.wait_sent(1)
    assert sent["body"] == "Call 800 now"  # full-width digits read as the digits they are
