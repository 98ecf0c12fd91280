"""The inbox over real HTTP: users write on WhatsApp or SMS through signed webhooks, a
caseworker reads, claims and replies, and the reply reaches the fake Twilio server."""

from __future__ import annotations

import random
import re
import string
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from bot.advisor.strings import load_strings
from bot.config import PROMPTS_DIR
from bot.store.identity import Identity
from bot.store.models import AuditEntry, Escalation, Message, OutboxRow, Reply, utcnow
from tests.app.conftest import Web, new_sender, sign_in
from tests.app.harness import PROFILE

# Held out: not in tests/eval/questions.yaml nor in prompts/triage.
URGENT = "They took my passport at work and locked us in the hostel, we cannot leave, help"
SENSITIVE = "Last month my boss kept my salary for three months, can I still get it back?"


def marker() -> str:
    """A word to find a reply by (letters only: digits would be redacted in the thread)."""
    return "".join(random.choices(string.ascii_lowercase, k=8))


def identity(web: Web) -> Identity:
    return Identity(web.server.settings.sender_hash_key)


def sender_id(web: Web, number: str) -> str:
    return identity(web).sender_id(number)


def escalation_of(web: Web, number: str, timeout: float = 60.0) -> int:
    """The sender's escalation (an urgent answer may still be composing: wait for it)."""
    who = sender_id(web, number)
    deadline = time.monotonic() + timeout
    while True:
        with web.server.db.session() as s:
            found = s.scalar(select(Escalation.id).where(Escalation.sender_id == who))
        if found is not None:
            return int(found)
        assert time.monotonic() < deadline, "no escalation was recorded"
        time.sleep(0.1)


def agent(web: Web, channel: str = "whatsapp") -> tuple[str, int]:
    number = new_sender()
    send = web.whatsapp if channel == "whatsapp" else web.sms
    assert send("AGENT", number)  # confirmed inline
    return number, escalation_of(web, number)


def nonce_of(html: str) -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', html)
    assert found, "the reply form carries no nonce"
    return found.group(1)


def sent_to(web: Web, address: str) -> list[dict[str, object]]:
    with web.twilio.lock:
        return [m for m in web.twilio.sent if m["to"] == address]


def wait_sent_to(web: Web, address: str, n: int = 1, timeout: float = 20.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while len(found := sent_to(web, address)) < n:
        assert time.monotonic() < deadline, f"nothing sent to the user ({len(found)}/{n})"
        web.twilio.wait_sent(len(web.twilio.sent) + 1, timeout=0.5)
    return found


def replies_to(web: Web, number: str) -> list[str]:
    """The authors of the replies recorded for a user."""
    with web.server.db.session() as s:
        return [r.author for r in s.scalars(
            select(Reply).where(Reply.sender_id == sender_id(web, number)).order_by(Reply.id))]


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def age(web: Web, number: str, hours: float) -> None:
    with web.server.db.session() as s:
        s.execute(update(Message).where(Message.sender_id == sender_id(web, number))
                  .values(created_at=utcnow() - timedelta(hours=hours)))


def no_personal_details(html: str, number: str) -> None:
    for secret in (number, number.lstrip("+"), number[-7:], PROFILE, "whatsapp:"):
        assert secret not in html, secret


def audit_actions(web: Web, esc: int) -> list[tuple[str, str]]:
    with web.server.db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.target == f"escalation:{esc}")
                         .order_by(AuditEntry.id)).all()
        return [(r.user_name, r.action) for r in rows]


def test_the_inbox_needs_a_session(web: Web) -> None:
    with web.client() as client:
        for path in ("/inbox", "/inbox/1", "/inbox?show=closed"):
            r = client.get(path, headers={"accept": "text/html"})
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        for action in ("claim", "reply", "close"):
            r = client.post(f"/inbox/1/{action}", data={"text": "hi"})
            assert r.status_code == 401


def test_posts_without_the_csrf_token_are_refused(
    web: Web, signed_in: tuple[httpx.Client, str]
) -> None:
    client, _csrf = signed_in
    number, esc = agent(web)
    for action, data in (("claim", {}), ("reply", {"text": "hello"}), ("close", {})):
        r = client.post(f"/inbox/{esc}/{action}", data=data)
        assert r.status_code == 403, action
        r = client.post(f"/inbox/{esc}/{action}", data={**data, "csrf_token": "forged"})
        assert r.status_code == 403, action
    r = client.post(f"/inbox/{esc}/claim", data={"csrf_token": _csrf},
                    headers={"origin": "https://evil.example"})
    assert r.status_code == 403
    page = client.get(f"/inbox/{esc}")
    assert "open: nobody has claimed it yet" in page.text
    assert sent_to(web, f"whatsapp:{number}") == []


def test_agent_and_urgent_conversations_are_listed_without_the_number(
    web: Web, signed_in: tuple[httpx.Client, str]
) -> None:
    client, _ = signed_in
    asked, esc_agent = agent(web)
    worried = new_sender()
    web.whatsapp(URGENT, worried)
    esc_urgent = escalation_of(web, worried)
    wait_for(lambda: replies_to(web, worried) == ["assistant"])  # inline, or a late answer

    listing = client.get("/inbox")
    assert listing.status_code == 200
    html = listing.text
    assert f'href="/inbox/{esc_agent}">Conversation #{esc_agent}<' in html
    assert f'href="/inbox/{esc_urgent}">Conversation #{esc_urgent}<' in html
    assert "Asked for a caseworker" in html and "<strong>Urgent</strong>" in html
    # Issue 14: the level is shown, urgent comes first (though older) and raises the alarm.
    assert 'id="inbox-alarm"' in html and "1 urgent conversation" in html
    assert html.index(f'data-id="{esc_urgent}"') < html.index(f'data-id="{esc_agent}"')
    row = re.search(rf'<tr data-id="{esc_urgent}".*?</tr>', html, re.S)
    assert row and 'data-level="urgent"' in row.group(0)
    assert row and "WhatsApp" in row.group(0) and ">RU<" in row.group(0)
    assert "<strong>open</strong>" in row.group(0)
    no_personal_details(html, asked)
    no_personal_details(html, worried)

    page = client.get(f"/inbox/{esc_urgent}")
    assert page.status_code == 200
    assert "passport at work" in page.text  # the user's (redacted) message
    assert "Assistant" in page.text  # and the answer that went back
    assert page.headers["cache-control"] == "no-store"
    no_personal_details(page.text, worried)
    page = client.get(f"/inbox/{esc_agent}")
    assert ">AGENT<" in page.text
    no_personal_details(page.text, asked)



def test_claim_and_reply_send_one_message_to_the_user_and_are_audited(
    web: Web, signed_in: tuple[httpx.Client, str]
) -> None:
    client, csrf = signed_in
    number, esc = agent(web)
    page = client.get(f"/inbox/{esc}")
    assert 'id="claim-button"' in page.text

    r = client.post(f"/inbox/{esc}/claim", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == f"/inbox/{esc}?done=claimed"
    page = client.get(r.headers["location"])
    assert "claimed by you" in page.text and "You have claimed" in page.text

    text = f"Hello, this is Cas from the NGO ({marker()}). How can we help?"
    form = {"csrf_token": csrf, "text": text, "nonce": nonce_of(page.text)}
    r = client.post(f"/inbox/{esc}/reply", data=form)  # the page itself, not a redirect
    assert r.status_code == 200 and "Your reply was queued" in r.text
    assert "on its way" not in r.text  # issue 13.7: only what is true
    [message] = wait_sent_to(web, f"whatsapp:{number}")
    assert message["body"] == text
    assert message["from"].endswith("+15005550006")

    again = client.post(f"/inbox/{esc}/reply", data=form)  # the same form, submitted twice
    assert again.headers["location"] == f"/inbox/{esc}?done=again"
    time.sleep(0.5)
    assert len(sent_to(web, f"whatsapp:{number}")) == 1

    wait_for(lambda: 'data-state="sent"' in client.get(f"/inbox/{esc}").text)
    page = client.get(f"/inbox/{esc}")
    assert text in page.text and "cas (caseworker)" in page.text
    assert re.search(r'data-state="sent">Sent [0-9-]+ [0-9:]+ UTC', page.text)
    no_personal_details(page.text, number)

    with web.client() as other:  # another caseworker can neither reply nor take it
        other_csrf = sign_in(other, "cam")
        r = other.post(f"/inbox/{esc}/reply", data={"csrf_token": other_csrf, "text": "me",
                                                   "nonce": uuid.uuid4().hex})
        assert r.status_code == 403 and "cas has claimed this conversation" in r.text
        r = other.post(f"/inbox/{esc}/claim", data={"csrf_token": other_csrf})
        assert r.status_code == 409 and "cas has claimed" in r.text

    actions = audit_actions(web, esc)
    assert ("cas", "read") in actions
    assert actions.count(("cas", "claimed")) == 1
    assert actions.count(("cas", "replied")) == 1
    assert ("cam", "claimed") not in actions and ("cam", "replied") not in actions

    r = client.post(f"/inbox/{esc}/close", data={"csrf_token": csrf})
    assert r.headers["location"] == f"/inbox/{esc}?done=closed"
    page = client.get(r.headers["location"])
    assert "closed" in page.text and 'id="reply-form"' not in page.text
    assert ("cas", "closed") in audit_actions(web, esc)
    with web.server.db.session() as s:
        row = s.get(Escalation, esc)
        assert row is not None and row.sealed_address is None
    listing = client.get("/inbox?show=closed").text
    assert f"Conversation #{esc}<" in listing
    assert f"Conversation #{esc}<" not in client.get("/inbox").text


def test_whatsapp_older_than_24_hours_is_explained_and_refused_sms_is_not(
    web: Web, signed_in: tuple[httpx.Client, str]
) -> None:
    client, csrf = signed_in
    number, esc = agent(web)
    age(web, number, 25)
    page = client.get(f"/inbox/{esc}")
    assert "only within 24 hours" in page.text and "25 hours ago" in page.text
    assert re.search(r"<fieldset[^>]*disabled", page.text)
    r = client.post(f"/inbox/{esc}/reply", data={"csrf_token": csrf, "text": "late hello",
                                                 "nonce": nonce_of(page.text)})
    assert r.status_code == 409 and "only within 24 hours" in r.text
    with web.server.db.session() as s:
        queued = s.scalars(select(OutboxRow).where(
            OutboxRow.sender_id == sender_id(web, number))).all()
    assert queued == []

    by_sms, sms_esc = agent(web, "sms")
    age(web, by_sms, 72)
    page = client.get(f"/inbox/{sms_esc}")
    assert "24 hours" not in page.text and not re.search(r"<fieldset[^>]*disabled", page.text)
    r = client.post(f"/inbox/{sms_esc}/reply", data={"csrf_token": csrf, "text": "SMS hello",
                                                     "nonce": nonce_of(page.text)})
    assert r.status_code == 200 and "Your reply was queued" in r.text
    [message] = wait_sent_to(web, by_sms)
    assert message["body"] == "SMS hello"
    time.sleep(0.3)
    assert sent_to(web, f"whatsapp:{number}") == []


def test_an_address_that_cannot_be_decrypted_is_explained(
    web: Web, signed_in: tuple[httpx.Client, str]
) -> None:
    client, csrf = signed_in
    number, esc = agent(web)
    with web.server.db.session() as s:
        s.execute(update(Escalation).where(Escalation.id == esc).values(
            sealed_address=Identity("an old key that was rotated " + "y" * 16)
            .seal(f"whatsapp:{number}")))
    r = client.post(f"/inbox/{esc}/reply", data={"csrf_token": csrf, "text": "hello",
                                                 "nonce": uuid.uuid4().hex})
    assert r.status_code == 409 and "can no longer be decrypted" in r.text
    no_personal_details(r.text, number)


def test_a_user_who_erased_their_data_is_gone_from_the_inbox(
    web: Web, signed_in: tuple[httpx.Client, str]
) -> None:
    client, csrf = signed_in
    number, esc = agent(web)
    assert client.get(f"/inbox/{esc}").status_code == 200
    assert web.whatsapp("DELETE", number)
    page = client.get(f"/inbox/{esc}")
    assert page.status_code == 404 and "erased their data" in page.text
    r = client.post(f"/inbox/{esc}/reply", data={"csrf_token": csrf, "text": "hello",
                                                 "nonce": uuid.uuid4().hex})
    assert r.status_code == 404
    assert f"Conversation #{esc}<" not in client.get("/inbox?show=all").text
    assert replies_to(web, number) == []  # not even the confirmation of the erasure
    with web.server.db.session() as s:
        who = sender_id(web, number)
        assert s.scalars(select(Escalation).where(Escalation.sender_id == who)).all() == []


def test_a_sensitive_message_is_listed_below_urgent_ones_without_an_alarm(
    web: Web, signed_in: tuple[httpx.Client, str]
) -> None:
    client, _ = signed_in
    hurt = new_sender()
    inline = web.whatsapp(SENSITIVE, hurt)
    esc = escalation_of(web, hurt)
    wait_for(lambda: replies_to(web, hurt) == ["assistant"])
    with web.server.db.session() as s:
        row = s.get(Escalation, esc)
        assert row is not None and (row.level, row.reason) == ("sensitive", "sensitive")
    html = client.get("/inbox").text
    found = re.search(rf'<tr data-id="{esc}".*?</tr>', html, re.S)
    assert found and 'data-level="sensitive"' in found.group(0) and "Sensitive" in found.group(0)
    assert "⚠" not in found.group(0)
    levels = re.findall(r'<tr data-id="\d+" data-status="(?:open|claimed)" '
                        r'data-level="(\w+)"', html)
    order = {"urgent": 0, "sensitive": 1, "routine": 2}
    assert levels == sorted(levels, key=order.__getitem__)
    page = client.get(f"/inbox/{esc}").text
    assert 'id="conversation-level"' in page and "Sensitive" in page
    # The reply says nothing of a caseworker: that line is for urgent messages only.
    safety = load_strings(PROMPTS_DIR / "safety")
    for key in ("alert_staffed", "alert_later"):
        assert all(safety.get(key, "en") not in part for part in inline)
