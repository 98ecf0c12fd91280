"""The Ask page's photo upload over real HTTP: POST /api/chat/document.

The same checks as on WhatsApp (5 MB, photo or PDF), a session and the CSRF
token, the same answer; only the placeholder of the photo is stored.
"""

from __future__ import annotations

import base64
import io
import os
import tempfile
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.store.models import AskedQuestion
from tests.app.conftest import Web, sign_in
from tests.documents.pages import PAGES, PHONE, photograph, render

PAGE_WORDS = ("Менса", "Кофи", "12345", "добросовестно")


@pytest.fixture(scope="module")
def contract() -> bytes:
    return photograph(render(PAGES["military_contract"]), PHONE)


def upload(client: httpx.Client, csrf: str | None, data: bytes, **fields: object
           ) -> httpx.Response:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    return client.post("/api/chat/document", headers=headers,
                       json={"image": base64.b64encode(data).decode(), **fields})


def test_a_photographed_contract_gets_the_same_answer_as_on_whatsapp(
        web: Web, signed_in: tuple[httpx.Client, str], contract: bytes):
    client, csrf = signed_in
    r = upload(client, csrf, contract, caption="what is this paper?", country="ru")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["status"] == "answered" and data["triage"] == "sensitive"
    assert data["document"]["kind"] == "military_contract"
    assert data["document"]["dangerous"] is True and data["document"]["matched"]
    assert data["answer"].startswith("Do not sign this paper yet.")
    assert data["citations"][0]["doc_id"] == "papers-to-sign"
    assert data["citations"][0]["reviewed_on"]  # the page shows the review dates
    assert r.headers["cache-control"] == "no-store"
    for words in PAGE_WORDS:
        assert words not in r.text
    with web.server.db.session() as s:
        row = s.get(AskedQuestion, data["question_id"])
        assert row is not None
        assert row.text == "[photo: military_contract] what is this paper?"
        assert row.channel == "web" and row.country == "RU"
    # Feedback works on it like on any answer.
    f = client.post("/api/feedback", json={"question_id": data["question_id"], "helpful": True},
                    headers={"X-CSRF-Token": csrf})
    assert f.status_code == 200


def test_being_made_to_sign_now_is_urgent(signed_in: tuple[httpx.Client, str], contract: bytes):
    client, csrf = signed_in
    r = upload(client, csrf, contract, caption="They are forcing me to sign this contract "
               "right now, the officer is waiting")
    assert r.status_code == 200 and r.json()["urgent"] is True
    assert r.json()["triage"] == "urgent"


def test_a_png_in_french(signed_in: tuple[httpx.Client, str]):
    client, csrf = signed_in
    png = io.BytesIO()
    render(PAGES["call_up_papers"]).save(png, format="PNG")
    r = upload(client, csrf, png.getvalue(), lang="fr")
    assert r.status_code == 200, r.text
    assert r.json()["answer"].startswith("Ne signez pas ce papier pour l'instant.")
    assert r.json()["document"]["kind"] == "call_up_papers"


def test_a_file_that_is_not_a_photo_is_answered_with_what_to_send(
        signed_in: tuple[httpx.Client, str]):
    client, csrf = signed_in
    r = upload(client, csrf, b"GIF89a" + b"\x00" * 100)
    assert r.status_code == 200
    data = r.json()
    assert (data["status"], data["reason"]) == ("no_answer", "document_refused")
    assert data["document"]["reason"] == "unsupported_type"
    assert data["answer"].startswith("I can read photos (JPEG, PNG or WebP) and PDF files.")


def test_over_5_mb_is_refused(signed_in: tuple[httpx.Client, str]):
    client, csrf = signed_in
    r = upload(client, csrf, b"\xff\xd8\xff" + os.urandom(6 * 1024 * 1024))
    assert r.status_code == 413 and "at most 5 MB" in r.json()["detail"]  # while streaming
    # Just over 5 MB once decoded, though the JSON itself fits: refused too.
    r = upload(client, csrf, b"\xff\xd8\xff" + os.urandom(5 * 1024 * 1024))
    assert r.status_code == 413 and "at most 5 MB" in r.json()["detail"]


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ('{"image": "not base64!"}', "application/json", 422),
    ('{"image": ""}', "application/json", 422),
    ('{"caption": "no image"}', "application/json", 422),
    ('{"image": "AAAA", "country": "Russia"}', "application/json", 422),
    ("not json", "application/json", 422),
    ("image=AAAA", "application/x-www-form-urlencoded", 415),
])
def test_bad_requests_get_a_clear_4xx(signed_in: tuple[httpx.Client, str], body: str,
                                      content_type: str, status: int):
    client, csrf = signed_in
    r = client.post("/api/chat/document", content=body,
                    headers={"X-CSRF-Token": csrf, "Content-Type": content_type})
    assert r.status_code == status, r.text


def test_a_session_and_the_csrf_token_are_needed(web: Web, contract: bytes):
    with web.client() as anonymous:
        assert upload(anonymous, None, contract).status_code == 401
    with web.client() as client:
        sign_in(client, "cas")
        before = _count(web)
        assert upload(client, None, contract).status_code == 403
        assert upload(client, "wrong-token", contract).status_code == 403
        assert _count(web) == before  # nothing read, nothing stored


def _count(web: Web) -> int:
    with web.server.db.session() as s:
        return len(s.scalars(select(AskedQuestion.id)).all())


def test_the_ask_page_offers_the_upload(signed_in: tuple[httpx.Client, str]):
    client, _ = signed_in
    page = client.get("/chat").text
    assert 'id="document"' in page and 'type="file"' in page
    assert 'accept="image/jpeg,image/png,image/webp,application/pdf"' in page
    assert f'data-max-bytes="{5 * 1024 * 1024}"' in page


def test_the_upload_is_read_in_memory_and_not_kept(web: Web, signed_in: tuple[httpx.Client, str],
                                                   contract: bytes, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    spool = tmp_path / "tmp"  # every temporary file of the server and of Tesseract
    spool.mkdir()
    monkeypatch.setenv("TMPDIR", str(spool))
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    client, csrf = signed_in
    r = upload(client, csrf, contract)
    assert r.status_code == 200 and r.json()["document"]["kind"] == "military_contract"
    assert list(spool.iterdir()) == []
    from sqlalchemy import select

    from bot.store.models import Base

    with web.server.db.session() as s:  # every row of every table, on either database
        for table in Base.metadata.sorted_tables:
            dump = " ".join(str(row) for row in s.execute(select(table)).all())
            for words in PAGE_WORDS:
                assert words not in dump, (table.name, words)
    if not web.server.db.is_sqlite:
        return
    web.server.db.engine.dispose()  # flush the WAL into the file
    database = Path(str(web.server.settings.database_url).removeprefix("sqlite:///"))
    files = list(database.parent.glob(database.name + "*"))
    assert files
    for f in files:
        raw = f.read_bytes()
        for words in PAGE_WORDS:
            assert words.encode() not in raw, (f.name, words)
        assert contract[1000:1032] not in raw and base64.b64encode(contract[:600])[:64] \
            not in raw, f.name
