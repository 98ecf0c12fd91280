"""The WhatsApp and SMS webhooks through real HTTP: SECURITY.md checks 1-4, 6, 10 and 16.

uvicorn serves the app on a loopback port with the session's real runtime;
requests are signed with Twilio's RequestValidator; the store is real SQLite in
tmp_path; anything sent through the REST API goes to the local fake Twilio.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from bot.advisor.composer import DEFAULT_BUDGET, Budget
from bot.advisor.models import Answer, Question
from bot.advisor.runtime import Runtime
from bot.store.models import AskedQuestion, Escalation, Message, OutboxRow, Reply, Sender
from tests.app.harness import (
    PUBLIC,
    AppServer,
    message,
    privacy_note,
    serve,
    sign,
    twilio_settings,
    twiml_bodies,
    without_note,
)
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

QUESTION = "They took my passport at work, what can I do?"
# The starter registry's urgent contact for anyone in Russia (knowledge/referrals/russia.yaml).
UNHCR_WHATSAPP = "+7 (903) 792-22-79"
UNHCR_PHONE = "+7 (495) 660-09-01"


class CountingRuntime(Runtime):
    """The real runtime's parts, counting the questions asked (a spy, not a fake)."""

    def __init__(self, runtime: Runtime, fail: bool = False) -> None:
        super().__init__(runtime.settings, runtime.embedder, runtime.watcher, runtime.strings,
                         runtime.advisor, runtime.safety)
        self.questions: list[Question] = []
        self.fail = fail
        self.hold: threading.Event | None = None  # when set: answer only once released
        self.asked = threading.Event()
        self._lock = threading.Lock()

    def ask(self, question: Question, budget: Budget = DEFAULT_BUDGET, *,
            measure: bool = False) -> Answer:
        with self._lock:
            self.questions.append(question)
        self.asked.set()
        if self.hold is not None:
            self.hold.wait(30)
        if self.fail:
            raise RuntimeError("retrieval is down")
        return super().ask(question, budget, measure=measure)


@pytest.fixture
def spy(starter_runtime: Runtime) -> CountingRuntime:
    return CountingRuntime(starter_runtime)


@pytest.fixture
def app(tmp_path: Path, fake: FakeTwilio, spy: CountingRuntime,
        database_url: str) -> Iterator[AppServer]:
    """The service on each database: SQLite, then PostgreSQL."""
    settings = twilio_settings(tmp_path, fake.base_url, ACCOUNT_SID, AUTH_TOKEN,
                               rate_limit_per_minute=8, database_url=database_url,
                               fragment_window=0.5)
    with serve(settings, spy) as server:
        yield server


def count(app: AppServer, model: Any) -> int:
    with app.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# Check 1: a bad, missing or empty signature gets 403; nothing stored; nothing computed.
@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl", "wrong"])
def test_unsigned_or_badly_signed_webhooks_are_refused(
    app: AppServer, spy: CountingRuntime, signature: str | None
) -> None:
    r = app.post("whatsapp", message(QUESTION, "+79001112233"), signature=signature)
    assert r.status_code == 403
    assert count(app, Message) == 0 and count(app, Sender) == 0
    assert spy.questions == []


def test_a_signature_for_other_parameters_or_url_is_refused(
    app: AppServer, spy: CountingRuntime
) -> None:
    params = message(QUESTION, "+79001112233")
    forged = dict(params, Body="something else")
    r = app.post("whatsapp", forged, signature=sign(AUTH_TOKEN, PUBLIC + "/twilio/whatsapp",
                                                    params))
    assert r.status_code == 403
    # Signed for the internal URL the app sees, not the public one Twilio calls.
    internal = sign(AUTH_TOKEN, app.base + "/twilio/whatsapp", params)
    assert app.post("whatsapp", params, signature=internal).status_code == 403
    # Signed with another account's token.
    other = sign("another-token", PUBLIC + "/twilio/whatsapp", params)
    assert app.post("whatsapp", params, signature=other).status_code == 403
    assert count(app, Message) == 0 and spy.questions == []


# Check 2: behind a TLS proxy the app sees http://127.0.0.1:port/...; the public URL validates.
def test_signed_request_through_a_proxy_validates_against_the_public_url(
    app: AppServer,
) -> None:
    bodies = app.ask(QUESTION, "+79001112233")
    assert len(bodies) >= 1 and bodies[0]
    # The query string is part of the signed URL, byte for byte.
    params = message("HELP", "+79001112233")
    query = "tenant=ngo%20one&x=%2F"
    r = app.post("whatsapp", params, query=query,
                 signature=sign(AUTH_TOKEN, f"{PUBLIC}/twilio/whatsapp?{query}", params))
    assert r.status_code == 200 and twiml_bodies(r.text)
    r = app.post("whatsapp", params | {"MessageSid": "SM" + "9" * 32}, query=query,
                 signature=sign(AUTH_TOKEN, f"{PUBLIC}/twilio/whatsapp?tenant=ngo+one&x=%2F",
                                params | {"MessageSid": "SM" + "9" * 32}))
    assert r.status_code == 403


# Check 3 (and the 20): concurrent deliveries of one MessageSid: one message, one reply.
def test_twenty_concurrent_deliveries_give_one_message_and_one_reply(
    app: AppServer, spy: CountingRuntime, fake: FakeTwilio
) -> None:
    params = message(QUESTION, "+79001112233", sid="SM" + "a" * 32)
    signature = sign(AUTH_TOKEN, PUBLIC + "/twilio/whatsapp", params)
    start = threading.Barrier(20)

    def deliver(_: int) -> httpx.Response:
        with httpx.Client(base_url=app.base, timeout=30) as client:
            start.wait()
            return client.post("/twilio/whatsapp", data=params,
                               headers={"X-Twilio-Signature": signature})

    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(deliver, range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    replies = [twiml_bodies(r.text) for r in responses]
    assert sum(1 for b in replies if b) == 1
    assert count(app, Message) == 1
    assert len(spy.questions) == 1
    assert fake.sent == []


# Check 4: when retrieval or the database fails, the user still gets the general contacts.
def test_retrieval_failure_still_replies_with_general_contacts(
    app: AppServer, spy: CountingRuntime
) -> None:
    spy.fail = True
    bodies = app.ask(QUESTION, "+79001112233")
    assert len(bodies) == 1
    assert "Sorry" in bodies[0]
    assert UNHCR_WHATSAPP in bodies[0]  # UNHCR's hotline in Russia, the urgent general contact


def test_database_failure_still_replies_with_general_contacts(app: AppServer) -> None:
    with app.db.engine.begin() as conn:
        conn.execute(text("DROP TABLE messages"))
    r = app.post("sms", message(QUESTION, "+79001112233", channel="sms"))
    assert r.status_code == 200
    [body] = twiml_bodies(r.text)
    assert UNHCR_PHONE in body and "*" not in body  # on SMS, the first number: the phone


def test_a_question_while_the_index_loads_is_answered_through_the_outbox(
    app: AppServer, spy: CountingRuntime, fake: FakeTwilio
) -> None:
    loader = app.context.runtime
    loader.install(None)  # as while the model and the index load
    # Only the first-contact note goes back at once; the answer follows through the outbox.
    assert app.ask(QUESTION, "+79001112233") == [privacy_note()]
    loader.install(spy)  # loaded: the worker answers what waited
    app.delivery.wake()
    [sent] = fake.wait_sent(1)
    assert sent["to"] == "whatsapp:+79001112233" and sent["from"].startswith("whatsapp:")
    assert len(spy.questions) == 1


# Check 6: after STOP nothing more is sent; START resumes (WhatsApp: the app's own duty).
def test_stop_silences_whatsapp_until_start(
    app: AppServer, spy: CountingRuntime, fake: FakeTwilio
) -> None:
    [stopped] = app.ask("STOP", "+79001112233")
    assert "START" in stopped
    assert app.ask(QUESTION, "+79001112233") == []
    assert app.ask("help", "+79001112233") == []
    assert spy.questions == [] and fake.sent == []
    [started] = app.ask("Start", "+79001112233")
    assert "Welcome back" in started
    assert app.ask(QUESTION, "+79001112233")
    assert len(spy.questions) == 1


def test_stop_on_sms_is_left_to_twilio_and_honoured(app: AppServer, spy: CountingRuntime) -> None:
    assert app.ask("stop", "+79001112233", channel="sms") == []  # Twilio confirms it itself
    assert app.ask(QUESTION, "+79001112233", channel="sms") == []
    assert app.ask("START", "+79001112233", channel="sms")
    assert app.ask(QUESTION, "+79001112233", channel="sms")
    assert len(spy.questions) == 1


# Check 10 (as issue 18 changed it): a recording or file is never downloaded and the user
# is told what is read; a photo of a paper is read (tests/app/test_twilio_photos.py).
def test_media_other_than_photos_is_not_downloaded_and_the_user_is_told(
    app: AppServer, spy: CountingRuntime, fake: FakeTwilio
) -> None:
    params = message("", "+79001112233", media=1)
    params["MediaUrl0"] = fake.base_url + "/media/ME0"
    params["MediaContentType0"] = "audio/ogg"
    r = app.post("whatsapp", params)
    [body] = twiml_bodies(r.text)
    assert body.startswith("I did not open this recording or file.")
    params = message(QUESTION, "+79001112233", media=1)
    params["MediaUrl0"] = fake.base_url + "/media/ME1"
    params["MediaContentType0"] = "video/mp4"
    bodies = twiml_bodies(app.post("whatsapp", params).text)
    assert bodies[0].startswith("I did not open this recording or file.") and len(bodies) >= 2
    assert not any("/media/" in p for p in fake.paths)
    assert len(spy.questions) == 1


# Check 16: over the rate limit, one polite reply and then quiet; panic is never silenced
# (issue 13): the limit counts answered questions, and danger, greetings and commands are
# always answered.
def test_over_the_rate_limit_quiet_but_never_for_danger_or_commands(
    app: AppServer, spy: CountingRuntime
) -> None:
    limit = app.settings.rate_limit_per_minute
    for i in range(limit):
        assert app.ask(f"{QUESTION} ({i})", "+79001112233")
    other = "Can my university refuse to extend my student visa?"
    [limited] = app.ask(other, "+79001112233")
    assert "wait" in limited
    assert app.ask(other + " Please answer.", "+79001112233") == []  # then silence
    urgent = app.ask("They locked us in and will send us to the front tomorrow, help",
                     "+79001112233")
    assert urgent and "[1]" in urgent[0]
    assert app.ask("CONTACTS", "+79001112233")
    assert app.ask("hello", "+79001112233")  # the menu: no question answered, none counted
    assert app.ask(QUESTION, "+79005556677")  # another sender is not affected


def test_oversized_messages_are_refused_with_a_clear_reply(
    app: AppServer, spy: CountingRuntime
) -> None:
    [reply] = app.ask("Help me please. " * 100, "+79001112233")
    assert "too long" in reply and "1000" in reply
    assert spy.questions == []
    r = app.client.post("/twilio/sms", content=b"Body=" + b"x" * 70_000,
                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


def test_commands_in_several_languages(app: AppServer, spy: CountingRuntime) -> None:
    [menu] = app.ask("MENU", "+79001112233")
    assert "CONTACTS" in menu and "DELETE" in menu
    [aide] = app.ask("Aide", "+33612345678")
    assert "Commandes" in aide
    [lang] = app.ask("LANG fr", "+79001112233")
    assert lang == "Je répondrai en français."
    [bad] = app.ask("lang xx", "+79001112233")
    assert "LANG" in bad or "LANGUE" in bad
    [contacts] = app.ask("контакты", "+79001112233")  # a +7 number: contacts for Russia
    assert UNHCR_WHATSAPP in contacts
    app.ask(QUESTION, "+79001112233")
    assert spy.questions[-1].lang == "fr" and spy.questions[-1].country == "RU"
    [agent] = app.ask("agent", "+79001112233")
    assert "conseiller" in agent
    assert count(app, Escalation) >= 1
    assert spy.questions == spy.questions[:1]


def test_a_short_follow_up_carries_the_previous_question(
    app: AppServer, spy: CountingRuntime
) -> None:
    app.ask("Can my university refuse to extend my student visa?", "+79001112233")
    app.ask("and in Kazan?", "+79001112233")
    assert spy.questions[1].text.startswith("Can my university refuse")
    assert spy.questions[1].text.endswith("and in Kazan?")


def test_whatsapp_and_sms_are_formatted_for_their_channel(app: AppServer) -> None:
    whatsapp = "\n".join(app.ask(QUESTION, "+79001112233"))
    assert "*" in whatsapp  # bold headings
    sms = without_note(app.ask(QUESTION, "+79005556677", channel="sms"))
    assert len(sms) == 1 and "*" not in sms[0] and "_" not in sms[0]


def test_more_sends_the_rest_of_a_long_sms(app: AppServer) -> None:
    [first] = app.ask("Что делать, если у меня забрали паспорт на работе?", "+79001112233",
                      channel="sms")
    if "MORE" not in first and "ЕЩЁ" not in first:
        pytest.skip("this answer fits one SMS reply")
    [rest] = app.ask("more", "+79001112233", channel="sms")
    assert rest and rest != first


def test_the_development_switch_accepts_unsigned_webhooks(
    tmp_path: Path, fake: FakeTwilio, spy: CountingRuntime
) -> None:
    settings = twilio_settings(tmp_path, fake.base_url, ACCOUNT_SID, AUTH_TOKEN,
                               twilio_validate=False)
    with serve(settings, spy) as server:
        r = server.post("sms", message("HELP", "+79001112233", channel="sms"), signature=None)
    assert r.status_code == 200 and twiml_bodies(r.text)


# Discretion (issue 5): users may be watched. The first reply to a new sender and HELP
# say how to delete the chat and name DELETE; later replies do not repeat it.
def test_the_first_reply_and_help_say_how_to_delete_the_chat(
    app: AppServer, spy: CountingRuntime
) -> None:
    note = privacy_note()
    assert "DELETE" in note and "delete this chat" in note
    first = app.ask(QUESTION, "+79001112233")
    assert first[-1].endswith(note)
    second = app.ask("Can my university refuse to extend my student visa?", "+79001112233")
    assert second and not any(note in b for b in second)
    [help_reply] = app.ask("HELP", "+79001112233")
    assert note in help_reply
    # In French: the French note, which names the French word and DELETE; by SMS without
    # the WhatsApp steps (issue 13).
    [aide] = app.ask("AIDE", "+33612345678", channel="sms")
    assert privacy_note("fr", "sms") in aide and "SUPPRIMER" in aide and "DELETE" in aide
    assert "WhatsApp" not in aide
    # The same number on the other channel is the same sender: no second note.
    again = app.ask("LANG fr", "+33612345678")
    assert not any(privacy_note("fr", "sms") in b or note in b for b in again)


def test_no_privacy_note_after_stop_or_delete(app: AppServer) -> None:
    assert app.ask("STOP", "+79007770000", channel="sms") == []
    [deleted] = app.ask("DELETE", "+79007770001")
    assert privacy_note() not in deleted


def test_delete_while_an_answer_is_composed_leaves_nothing_behind(
    app: AppServer, spy: CountingRuntime, fake: FakeTwilio
) -> None:
    """A slow answer that finishes after DELETE is neither stored nor sent."""
    spy.hold = threading.Event()
    results: list[list[str]] = []
    asking = threading.Thread(target=lambda: results.append(app.ask(QUESTION, "+79001112233")))
    asking.start()
    assert spy.asked.wait(30)
    [deleted] = app.ask("DELETE", "+79001112233")
    assert "deleted" in deleted.lower()
    spy.hold.set()
    asking.join(60)
    time.sleep(0.5)  # a late answer would be queued by now
    assert fake.sent == []
    for model in (Escalation, Message, Sender, AskedQuestion, Reply, OutboxRow):
        assert count(app, model) == 0, model.__tablename__
