"""Every confirmation states only what happened (issue 13, item 7), through the real app.

The inbox told a caseworker "Your reply is on its way to the user." when no Twilio
credentials were configured (the outbox cannot send, so the reply only waits), and
showed nothing of what became of a reply afterwards (sent, retried, refused by Twilio,
cancelled by STOP). A caseworker saw their own reply redacted ("[number]" where they
had typed the hotline's number), although only the stored copy must be. A stale
command text claimed deletion "at our provider" unconditionally.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import yaml
from sqlalchemy import select

from bot.config import PROMPTS_DIR
from bot.store.models import Escalation, OutboxRow, Reply
from tests.app.harness import AppServer
from tests.channels.twilio_fake import FakeTwilio
from tests.security.conftest import PASSWORD, Serve, login_form_token

ROOT = Path(__file__).resolve().parents[2]
USER = "+79161230077"
NUMBER = "+7 916 555-12-34"  # what the caseworker types: the hotline's number
TEXT = f"Call our hotline {NUMBER} today, we can help."
QUEUED = "Queued, not yet sent: no Twilio credentials are configured"


def sign_in(app: AppServer, client: httpx.Client, name: str) -> str:
    app.accounts.add(name, "caseworker", PASSWORD)
    r = client.post("/login", data={"name": name, "password": PASSWORD, "next": "/inbox",
                                    "csrf_token": login_form_token(client)})
    assert r.status_code == 303, r.text[:300]
    return str(client.get("/api/session").json()["csrf_token"])


def escalation(app: AppServer) -> int:
    with app.db.session() as s:
        found = s.scalar(select(Escalation.id).where(
            Escalation.sender_id == app.delivery.identity.sender_id("whatsapp:" + USER)))
    assert found is not None
    return int(found)


def escalated(app: AppServer, client: httpx.Client) -> tuple[int, str]:
    """The user asks for a person; caseworker "cas" signs in: (escalation id, CSRF token)."""
    app.ask("AGENT", USER)
    esc = escalation(app)
    return esc, sign_in(app, client, "cas")


def reply(client: httpx.Client, csrf: str, esc: int, text: str = TEXT) -> httpx.Response:
    page = client.get(f"/inbox/{esc}").text
    nonce = re.search(r'name="nonce" value="([^"]+)"', page)
    assert nonce
    return client.post(f"/inbox/{esc}/reply",
                       data={"csrf_token": csrf, "text": text, "nonce": nonce.group(1)})


def state_of(html: str) -> str:
    """The delivery state shown under the (only) caseworker reply of the thread."""
    found = re.search(r'<p class="delivery[^"]*" data-state="(\w+)">(.*?)</p>', html, re.S)
    assert found, "the reply shows no delivery state"
    return found.group(1) + ": " + re.sub(r"\s+", " ", found.group(2))


def outbox(app: AppServer) -> list[OutboxRow]:
    with app.db.session() as s:
        return list(s.scalars(select(OutboxRow).where(OutboxRow.idempotency_key.like("inbox:%"))))


def wait_status(app: AppServer, status: str) -> None:
    deadline = time.monotonic() + 20
    while [r.status for r in outbox(app)] != [status]:
        assert time.monotonic() < deadline, [r.status for r in outbox(app)]
        time.sleep(0.05)


def test_without_credentials_a_reply_is_said_to_be_queued_not_sent(
    make_app: Serve, database_url: str
) -> None:
    with make_app(twilio_account_sid=None, database_url=database_url) as app, \
            httpx.Client(base_url=app.base, timeout=60) as client:
        esc, csrf = escalated(app, client)
        r = reply(client, csrf, esc)
        assert r.status_code == 200
        assert QUEUED in r.text and "it will be sent when they are" in r.text
        assert "on its way" not in r.text
        page = client.get(f"/inbox/{esc}").text
        assert state_of(page).startswith("pending: Not sent yet")
        assert "no Twilio credentials are configured" in state_of(page)
        # The user erases everything: the caseworker's reply is cancelled, and told so.
        [confirmation] = app.ask("DELETE", USER)
        assert "were cancelled, including any from a caseworker" in confirmation
        assert "this service cannot delete them there" in confirmation
        assert outbox(app) == []


def test_the_caseworker_sees_their_own_text_while_only_a_redacted_copy_is_stored(
    make_app: Serve, fake: FakeTwilio, database_url: str
) -> None:
    with make_app(database_url=database_url) as app, \
            httpx.Client(base_url=app.base, timeout=60) as client, \
            httpx.Client(base_url=app.base, timeout=60) as colleague:
        esc, csrf = escalated(app, client)
        r = reply(client, csrf, esc)
        assert r.status_code == 200
        assert NUMBER in r.text  # as typed, on the page that confirms it
        fake.wait_sent(1)
        assert fake.sent[0]["body"] == TEXT  # the user gets the real text
        wait_status(app, "sent")
        with app.db.session() as s:
            [stored] = s.scalars(select(Reply).where(Reply.author == "caseworker")).all()
            assert "[number]" in stored.body and "916" not in stored.body
        assert all("916" not in row.body for row in outbox(app))  # redacted once sent
        # Later, and for anyone else, the page shows the stored copy, and says so.
        sign_in(app, colleague, "cam")
        for page in (client.get(f"/inbox/{esc}").text, colleague.get(f"/inbox/{esc}").text):
            assert "916" not in page and "Call our hotline [number] today" in page
            assert state_of(page).startswith("sent: Sent")


def test_a_reply_twilio_refuses_shows_why(
    make_app: Serve, fake: FakeTwilio, database_url: str
) -> None:
    fake.fail_next(1, 400, 63016)  # Twilio refuses: the WhatsApp window closed meanwhile
    with make_app(database_url=database_url) as app, \
            httpx.Client(base_url=app.base, timeout=60) as client:
        esc, csrf = escalated(app, client)
        assert reply(client, csrf, esc, "First reply").status_code == 200
        wait_status(app, "failed")
        state = state_of(client.get(f"/inbox/{esc}").text)
        assert state.startswith("failed: Not sent") and "63016" in state
        assert "24 hours" in state  # the code, explained


def test_a_reply_waiting_for_a_retry_and_then_cancelled_by_stop_says_so(
    make_app: Serve, fake: FakeTwilio, database_url: str
) -> None:
    fake.fail_next(1000, 503)  # Twilio is down: the reply waits for a retry
    with make_app(database_url=database_url, outbox_backoff=600) as app, \
            httpx.Client(base_url=app.base, timeout=60) as client:
        esc, csrf = escalated(app, client)
        r = reply(client, csrf, esc, "Second reply")
        assert "on its way" not in r.text and "Your reply was queued" in r.text
        deadline = time.monotonic() + 20
        while not (row := outbox(app)[0]).attempts or row.status != "pending":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        state = state_of(client.get(f"/inbox/{esc}").text)
        assert state.startswith("pending: Not sent yet") and "503" in state
        app.ask("STOP", USER)
        state = state_of(client.get(f"/inbox/{esc}").text)
        assert state.startswith("cancelled: Cancelled, never sent") and "STOP" in state


def test_no_command_text_is_left_unused() -> None:
    """Every text of prompts/commands, in every language, is one the code sends: a stale
    one (the old DELETE confirmation, claiming deletion at the provider whatever happened)
    cannot linger."""
    source = "\n".join(p.read_text("utf-8") for p in (ROOT / "bot").rglob("*.py"))
    for path in sorted((PROMPTS_DIR / "commands").glob("*.yaml")):
        keys = yaml.safe_load(path.read_text("utf-8"))
        unused = [k for k in keys if not k.startswith("kw_") and k != "language_name"
                  and not re.search(rf'\b(?:say|text|reply)\(\s*"{k}"', source)]
        assert unused == [], path.name


def test_closing_with_a_reply_still_waiting_does_not_claim_every_address_is_gone(
    make_app: Serve, database_url: str
) -> None:
    with make_app(twilio_account_sid=None, database_url=database_url) as app, \
            httpx.Client(base_url=app.base, timeout=60) as client:
        esc, csrf = escalated(app, client)
        assert reply(client, csrf, esc).status_code == 200
        page = client.post(f"/inbox/{esc}/close", data={"csrf_token": csrf},
                           follow_redirects=True)
        assert "The conversation is closed" in page.text
        assert "A reply still waiting to be sent keeps its own" in page.text
        [row] = outbox(app)
        assert row.sealed_to is not None  # true: it still can be sent
