"""A photo of a paper on WhatsApp or MMS, end to end through real HTTP.

A signed webhook carries ``MediaUrl0`` on the local Twilio-like server, which
serves the rendered, "photographed" page with basic auth; the service fetches it,
reads it with the real Tesseract off the webhook, answers with the real model and
index, and sends the reply through the outbox to the fake's Messages API. A second
local server stands for every host that must never be asked for anything.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.advisor.runtime import Runtime
from bot.store.models import AskedQuestion, Escalation, Message
from tests.app.harness import (
    AppServer,
    message,
    privacy_note,
    serve,
    twilio_settings,
    twiml_bodies,
)
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, MediaStore
from tests.documents.pages import PAGES, PHONE, photograph, render

SENDER = "+79161234567"
FORCED_NOW = "They are forcing me to sign this contract right now, the officer is waiting"
# Words of the rendered page that no reply, row or log line may hold: they are the
# page's own, not the editors' phrases that a reply quotes.
PAGE_WORDS = ("Менса", "Кофи", "12345", "добросовестно", "Гана")


@pytest.fixture(scope="module")
def contract() -> bytes:
    return photograph(render(PAGES["military_contract"]), PHONE)


@pytest.fixture
def cdn() -> Iterator[MediaStore]:
    store = MediaStore().start()
    yield store
    store.stop()


@pytest.fixture
def elsewhere() -> Iterator[MediaStore]:
    store = MediaStore().start()
    yield store
    store.stop()


@pytest.fixture
def app(tmp_path: Path, fake: FakeTwilio, cdn: MediaStore,
        starter_runtime: Runtime) -> Iterator[AppServer]:
    settings = twilio_settings(tmp_path, fake.base_url, ACCOUNT_SID, AUTH_TOKEN,
                               twilio_media_hosts=[cdn.host])
    with serve(settings, starter_runtime) as server:
        yield server


def send_photo(app: AppServer, url: str, caption: str = "", sender: str = SENDER,
               channel: str = "whatsapp", content_type: str = "image/jpeg",
               more: int = 0) -> list[str]:
    params = message(caption, sender, channel, media=1 + more)
    params["MediaUrl0"], params["MediaContentType0"] = url, content_type
    started = time.monotonic()
    r = app.post(channel, params)
    assert r.status_code == 200, r.text
    assert time.monotonic() - started < 5, "the webhook waited for the reading"
    return twiml_bodies(r.text)


def test_a_photographed_army_contract_gets_the_warning_reply(app: AppServer, fake: FakeTwilio,
                                                             cdn: MediaStore, contract: bytes):
    url = fake.add_media(contract, store=cdn)  # Twilio redirects to its media store
    # The webhook acks at once: only the first-contact note goes back inline.
    assert send_photo(app, url) == [privacy_note()]
    [sent] = fake.wait_sent(1, timeout=60)
    body = sent["body"]
    assert sent["to"] == "whatsapp:" + SENDER and len(body) <= 1600
    assert body.startswith("Do not sign this paper yet. It looks like a contract to serve in "
                           "Russia's armed forces")
    assert "контракт о прохождении военной службы: contract for military service" in body
    assert "[1]" in body and "*Sources*" in body
    assert not any(w in body for w in PAGE_WORDS)
    [(path, headers)] = cdn.requests
    assert "Authorization" not in headers  # the credentials went to the Twilio API only
    with app.db.session() as s:
        row = s.scalars(select(Message)).one()
        assert (row.body, row.status, row.sealed_address) == ("[photo: military_contract]",
                                                              "answered", None)
        asked = s.scalars(select(AskedQuestion)).one()
        assert asked.text == "[photo: military_contract]" and asked.status == "answered"
        assert "papers-to-sign" in asked.doc_ids.split()


def test_made_to_sign_now_is_urgent_and_flagged_for_a_caseworker(app: AppServer,
                                                                 fake: FakeTwilio,
                                                                 contract: bytes):
    send_photo(app, fake.add_media(contract), caption=FORCED_NOW)
    [sent] = fake.wait_sent(1, timeout=60)
    assert sent["body"].startswith("Do not sign this paper yet.")
    assert "*Call for help now:*" in sent["body"]
    with app.db.session() as s:
        [flag] = s.scalars(select(Escalation)).all()
        assert flag.reason == "urgent" and flag.sealed_address is not None
        stored = s.scalars(select(Message)).one().body
    assert stored.startswith("[photo: military_contract] They are forcing me")


def test_a_lease_by_mms_is_named_and_read_before_signing(app: AppServer, fake: FakeTwilio):
    lease = photograph(render(PAGES["lease"]), PHONE)
    send_photo(app, fake.add_media(lease, "image/jpeg"), channel="sms", sender="+79001112233")
    [sent] = fake.wait_sent(1, timeout=60)
    assert sent["to"] == "+79001112233"
    assert sent["body"].startswith("This paper looks like a lease")


def test_a_media_url_on_another_host_is_never_requested(app: AppServer, fake: FakeTwilio,
                                                        elsewhere: MediaStore, contract: bytes):
    url = elsewhere.serve("/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", contract)
    send_photo(app, url)
    [sent] = fake.wait_sent(1, timeout=60)
    assert sent["body"].startswith("I could not open the photo. Please send it again.")
    assert elsewhere.requests == []
    with app.db.session() as s:
        assert s.scalars(select(Message)).one().body == "[photo: not_fetched]"


def test_a_media_fetch_error_gets_a_clear_reply(app: AppServer, fake: FakeTwilio):
    gone = fake.base_url + f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM1/Media/ME404"
    send_photo(app, gone, caption="что это?")
    [sent] = fake.wait_sent(1, timeout=60)
    assert sent["body"].startswith("Мне не удалось открыть фото. Пришлите его ещё раз.")


def test_other_media_get_a_clear_reply_and_are_never_fetched(app: AppServer, fake: FakeTwilio,
                                                            elsewhere: MediaStore):
    voice = elsewhere.serve("/voice.ogg", b"OggS", "audio/ogg")
    [reply] = send_photo(app, voice, content_type="audio/ogg")
    assert reply.startswith("I did not open this recording or file.")
    gif = elsewhere.serve("/anim.gif", b"GIF89a", "image/gif")
    [reply] = send_photo(app, gif, content_type="image/gif")
    assert reply.startswith("I can read photos (JPEG, PNG or WebP) and PDF files.")
    time.sleep(0.5)
    assert elsewhere.requests == [] and fake.sent == []


def test_several_photos_read_the_first_and_say_so(app: AppServer, fake: FakeTwilio,
                                                  contract: bytes):
    send_photo(app, fake.add_media(contract), more=1)
    [sent] = fake.wait_sent(1, timeout=60)
    assert "You sent 2 files. I read only the first one." in sent["body"]


def test_a_photo_left_unread_by_a_stopped_process_still_gets_a_reply(app: AppServer,
                                                                    fake: FakeTwilio):
    delivery = app.delivery
    sender = delivery.identity.sender_id("whatsapp:" + SENDER)
    store = delivery.store
    store.touch(sender)
    store.record_inbound("SMlost", sender, "whatsapp", "whatsapp:+15005550006", "[photo]",
                         delivery.identity.seal("whatsapp:" + SENDER), "reading")
    photos = app.context.twilio.photos
    assert photos is not None
    assert photos.sweep(older_than=timedelta(minutes=3)) == 0  # too fresh: maybe another's
    assert photos.sweep(older_than=timedelta(0)) == 1
    [sent] = fake.wait_sent(1, timeout=20)
    assert sent["body"].startswith("I could not open the photo. Please send it again.")
    assert photos.sweep(older_than=timedelta(0)) == 0
    with app.db.session() as s:
        assert s.scalars(select(Message)).one().status == "answered"


def test_nothing_of_the_image_or_its_text_is_stored_or_logged(
        app: AppServer, fake: FakeTwilio, contract: bytes, tmp_path: Path,
        caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    send_photo(app, fake.add_media(contract), caption="what is this?")
    fake.wait_sent(1, timeout=60)
    deadline = time.monotonic() + 10
    while True:  # the message is finished once its reply is queued and recorded
        with app.db.session() as s:
            if s.scalars(select(Message)).one().status == "answered":
                break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    app.db.engine.dispose()  # flush the WAL into the file
    files = list(tmp_path.glob("bot.sqlite3*"))
    assert files
    chunks = [contract[i:i + 32] for i in range(0, len(contract), len(contract) // 16)][1:]
    raws = {f.name: f.read_bytes() for f in files}
    assert any(b"military_contract" in raw for raw in raws.values())  # the placeholder...
    for name, raw in raws.items():
        for words in PAGE_WORDS:  # ...but nothing the page says
            assert words.encode() not in raw, (name, words)
        for chunk in chunks:
            assert chunk not in raw, name
    logs = caplog.text
    assert "document recognised: kind=military_contract" in logs
    for words in PAGE_WORDS:
        assert words not in logs
    assert "/Media/ME" not in logs  # not even the media URL


def test_no_file_is_written_while_a_photo_is_fetched_and_read(
        app: AppServer, fake: FakeTwilio, contract: bytes, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch):
    # Every temporary file of this process and of Tesseract would land here.
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setenv("TMPDIR", str(spool))
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    send_photo(app, fake.add_media(contract), caption="что это за бумага?")
    [sent] = fake.wait_sent(1, timeout=60)
    assert sent["body"].startswith("Пока не подписывайте этот документ.")
    assert list(spool.iterdir()) == []
    # Only the database's own files are new or changed; none holds the photo.
    after = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert {p.name for p in after - before} <= {"bot.sqlite3-wal", "bot.sqlite3-shm",
                                                "bot.sqlite3-journal"}


def test_a_flood_of_photos_is_turned_away_with_a_reply_not_queued(app: AppServer,
                                                                 fake: FakeTwilio,
                                                                 contract: bytes):
    photos = app.context.twilio.photos
    assert photos is not None
    photos.max_queued = 0  # as if the queue were full
    url = fake.add_media(contract)
    [reply] = send_photo(app, url)[-1:]
    assert reply.startswith("I could not open the photo. Please send it again.")
    time.sleep(0.5)
    assert not any("/Media/" in p for p in fake.paths)  # never fetched
    with app.db.session() as s:
        row = s.scalars(select(Message)).one()
        assert (row.body, row.status) == ("[photo: busy]", "answered")
