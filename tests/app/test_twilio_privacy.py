"""Privacy through real HTTP: SECURITY.md checks 7 and 8.

DELETE erases every row tied to the sender (a later export is empty) and
deletes their messages at Twilio; the database file and the logs of the run
hold no raw phone number, profile name or passport number.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from bot.advisor.runtime import Runtime
from tests.app.harness import PROFILE, AppServer, message, serve, twilio_settings
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

SENDER = "+79161234567"
OTHER = "+9779812345678"
PASSPORT = "AB7654321"
EMAIL = "amina.k@example.org"


@pytest.fixture
def app(tmp_path: Path, fake: FakeTwilio, starter_runtime: Runtime) -> Iterator[AppServer]:
    settings = twilio_settings(tmp_path, fake.base_url, ACCOUNT_SID, AUTH_TOKEN)
    with serve(settings, starter_runtime) as server:
        yield server


def converse(app: AppServer, fake: FakeTwilio, sender: str) -> None:
    for body, channel in [
        (f"My boss took my passport {PASSPORT}, my number is {sender}", "whatsapp"),
        (f"write to me at {EMAIL}", "whatsapp"),
        ("LANG fr", "whatsapp"),
        ("AGENT", "whatsapp"),
        ("they took my passport", "sms"),
    ]:
        params = message(body, sender, channel)
        fake.add_inbound(params["MessageSid"], params["From"], params["To"], body)
        r = app.post(channel, params)
        assert r.status_code == 200


def all_rows(app: AppServer) -> dict[str, list[tuple[object, ...]]]:
    engine = app.db.engine
    out = {}
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            out[table] = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table}"))]
    return out


def test_delete_erases_every_row_and_the_messages_at_twilio(
    app: AppServer, fake: FakeTwilio
) -> None:
    delivery = app.delivery
    sender_id = delivery.identity.sender_id(SENDER)
    converse(app, fake, SENDER)
    converse(app, fake, OTHER)
    assert any(sender_id in str(rows) for rows in all_rows(app).values())

    [confirmation] = app.ask("Supprimer", SENDER)
    assert "supprimé" in confirmation  # confirmed, in the sender's language (LANG fr)

    for table, rows in all_rows(app).items():
        assert sender_id not in str(rows), table
    assert all(not rows for rows in delivery.store.export(sender_id).values())
    other_id = delivery.identity.sender_id(OTHER)
    assert any(other_id in str(rows) for rows in all_rows(app).values())

    # At Twilio: every message to or from the sender, on both channels, is deleted.
    deadline = time.monotonic() + 20
    while any(SENDER in (m["from"] + m["to"]) for m in fake.messages.values()):
        assert time.monotonic() < deadline, "messages left at Twilio"
        time.sleep(0.05)
    assert fake.deleted
    assert any(OTHER in (m["from"] + m["to"]) for m in fake.messages.values())


def test_database_file_and_logs_hold_no_personal_details(
    app: AppServer, fake: FakeTwilio, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    converse(app, fake, SENDER)
    app.ask("DELETE", OTHER)
    app.db.engine.dispose()  # flush the WAL into the file
    secrets = [SENDER.lstrip("+"), SENDER, PROFILE, PASSPORT, EMAIL, SENDER[-7:]]
    for f in tmp_path.glob("bot.sqlite3*"):
        raw = f.read_bytes()
        for secret in secrets:
            assert secret.encode() not in raw, (f.name, secret)
    logs = caplog.text
    for secret in secrets:
        assert secret not in logs, secret
