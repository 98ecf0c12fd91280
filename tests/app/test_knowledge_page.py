"""The editors' knowledge page: the folder's check, the index, and re-indexing in the background.

The app here has its own small knowledge folder (a copy of the valid fixture)
and its own empty data folder, so re-indexing really runs the ingest (in a
child process) and publishes a generation without touching the session's index.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator

import httpx
import pytest

from bot.index.layout import IndexLayout
from bot.index.snapshot import Snapshot
from tests.app.conftest import PASSWORD, sign_in
from tests.app.harness import AppServer, serve, twilio_settings
from tests.conftest import FIXTURE_KNOWLEDGE

JOB_DEADLINE = 240.0  # seconds: the child loads the model and embeds a few passages
BROKEN = """---
id: Broken Guide
title: A guide with mistakes
lang: en
countries: [RU]
topics: [visa]
referrals: [no-such-referral]
sources: []
status: published
reviewed_by: Legal team
reviewed_on: "2026-11-01"
review_due: "2099-12-31"
---
## A heading
Some text.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    tmp = tmp_path_factory.mktemp("knowledge-page")
    knowledge = tmp / "knowledge"
    shutil.copytree(FIXTURE_KNOWLEDGE, knowledge)
    (knowledge / "guides" / "en" / "notes.txt").write_text("not a guide\n", encoding="utf-8")
    settings = twilio_settings(tmp, None, "AC" + "1" * 32, "token-" + "t" * 26,
                               knowledge_dir=knowledge, data_dir=tmp / "data")
    with serve(settings, None) as server:
        accounts = server.accounts
        for name, role in (("eve", "editor"), ("cas", "caseworker"), ("ada", "admin")):
            accounts.add(name, role, PASSWORD)
        yield server


@pytest.fixture
def editor(site: AppServer) -> Iterator[tuple[httpx.Client, str]]:
    with httpx.Client(base_url=site.base, timeout=60) as client:
        yield client, sign_in(client, "eve")


def _job_state(html: str) -> str | None:
    found = re.search(r'id="reindex-job" data-state="(\w+)"', html)
    return found.group(1) if found else None


def _wait_for_job(client: httpx.Client) -> str:
    deadline = time.monotonic() + JOB_DEADLINE
    while True:
        html = client.get("/knowledge").text
        if _job_state(html) != "running":
            return html
        assert time.monotonic() < deadline, "the re-index job did not finish"
        time.sleep(0.5)


def test_editor_sees_check_results(site: AppServer, editor: tuple[httpx.Client, str]) -> None:
    client, _ = editor
    r = client.get("/knowledge")
    assert r.status_code == 200
    assert "documents (" in r.text and "0 errors, 1 warnings" in r.text
    warning = re.search(r'<tr data-severity="warning">(.*?)</tr>', r.text, re.S)
    assert warning and "guides/en/notes.txt" in warning.group(1)
    assert "not read: guides are .md files" in warning.group(1)
    assert "No index has been built yet" in r.text
    assert 'action="/knowledge/reindex"' in r.text

    broken = site.settings.knowledge_dir / "guides" / "en" / "broken.md"
    broken.write_text(BROKEN, encoding="utf-8")
    try:
        html = client.get("/knowledge").text
    finally:
        broken.unlink()
    rows = re.findall(r'<tr data-severity="error">(.*?)</tr>', html, re.S)
    assert rows, "the errors are not listed"
    mine = [row for row in rows if "guides/en/broken.md" in row]
    assert any("<td>2</td><td>id</td>" in row for row in mine), mine  # file, line and field
    assert any("no-such-referral" in row for row in mine), mine
    assert "<script" not in html


def test_admin_may_open_it_too(site: AppServer) -> None:
    with httpx.Client(base_url=site.base, timeout=60) as client:
        sign_in(client, "ada")
        assert client.get("/knowledge").status_code == 200


def test_caseworker_is_refused(site: AppServer) -> None:
    with httpx.Client(base_url=site.base, timeout=60) as client:
        token = sign_in(client, "cas")
        assert client.get("/knowledge").status_code == 403
        r = client.post("/knowledge/reindex", data={"csrf_token": token})
        assert r.status_code == 403
        assert 'href="/knowledge"' not in client.get("/gaps").text  # not in the menu
    assert site.context.reindexer.job is None


def test_reindex_needs_the_csrf_token(site: AppServer, editor: tuple[httpx.Client, str]) -> None:
    client, _ = editor
    assert client.post("/knowledge/reindex").status_code == 403
    assert client.post("/knowledge/reindex", data={"csrf_token": "wrong"}).status_code == 403
    assert site.context.reindexer.job is None


def test_reindex_reports_a_busy_index_then_publishes(
    site: AppServer, editor: tuple[httpx.Client, str]
) -> None:
    client, token = editor
    layout = IndexLayout(site.settings.data_dir)
    assert layout.current() is None

    # Another ingest holds the writer lock: the job says so, and a second click is refused.
    with layout.writer_lock():
        r = client.post("/knowledge/reindex", data={"csrf_token": token})
        assert r.status_code == 303 and r.headers["location"].startswith("/knowledge?done=started")
        again = client.post("/knowledge/reindex", headers={"X-CSRF-Token": token})
        assert again.status_code == 303 and "done=running" in again.headers["location"]
        assert "already running" in client.get(again.headers["location"]).text
        html = _wait_for_job(client)
    assert _job_state(html) == "failed"
    assert "another ingest is writing the index" in html
    assert layout.current() is None

    # Free again: the job publishes a generation, which the page then shows.
    r = client.post("/knowledge/reindex", data={"csrf_token": token})
    assert r.status_code == 303 and "done=started" in r.headers["location"]
    html = _wait_for_job(client)
    assert _job_state(html) == "succeeded", html
    generation = layout.current()
    assert generation is not None
    snapshot = Snapshot.read(layout.generation_dir(generation))
    assert {d.doc_id for d in snapshot.documents} >= {"student-visa-extension",
                                                      "detained-rights"}
    assert f"index generation {generation}" in html  # the job's summary
    # What the ingest did, shown under "Output": the files added, the summary line.
    output = re.search(r"<pre>(.*?)</pre>", html, re.S)
    assert output and "added    guides/en/student-visa.md" in output.group(1)
    assert "passages from" in output.group(1)
    assert f"<code>{generation}</code>" in html  # the published index
    assert "not loaded yet" in html  # this app serves no runtime

    accounts = site.accounts
    entries = [e for e in accounts.audit_log() if e.action == "reindex"]
    assert [e.user_name for e in entries] == ["eve", "eve"]  # two started, one refused
    assert all(e.target and e.target.startswith("job:") for e in entries)


def test_a_refused_reindex_lists_the_problems(
    site: AppServer, editor: tuple[httpx.Client, str]
) -> None:
    client, token = editor
    broken = site.settings.knowledge_dir / "guides" / "en" / "broken.md"
    broken.write_text(BROKEN, encoding="utf-8")
    try:
        r = client.post("/knowledge/reindex", data={"csrf_token": token})
        assert r.status_code == 303 and "done=started" in r.headers["location"]
        html = _wait_for_job(client)
    finally:
        broken.unlink()
    assert _job_state(html) == "failed"
    output = re.search(r"<pre>(.*?)</pre>", html, re.S)
    assert output, "the refusal's problems are not shown"
    assert "guides/en/broken.md:2: [id] error" in output.group(1)  # file, line and field
    assert "ingest refused" in output.group(1)


def test_the_review_state_and_stale_translations_are_listed(
    site: AppServer, editor: tuple[httpx.Client, str]
) -> None:
    client, _ = editor
    visa = site.settings.knowledge_dir / "guides" / "en" / "student-visa.md"
    original = visa.read_text(encoding="utf-8")
    html = client.get("/knowledge").text
    assert "Every translation follows the current English." in html
    legal = re.search(r'<tr data-reviewer="legal">(.*?)</tr>', html, re.S)
    assert legal and "<td>0" in legal.group(1)
    try:
        # A reviewer is awaited, and the English changes under its French translation.
        visa.write_text(
            original.replace("status: published", "status: published\nawaiting_review: [legal]")
            .replace("through the migration office.", "through the migration office in person."),
            encoding="utf-8",
        )
        html = client.get("/knowledge").text
    finally:
        visa.write_text(original, encoding="utf-8")
    legal = re.search(r'<tr data-reviewer="legal">(.*?)</tr>', html, re.S)
    assert legal and "<td>1" in legal.group(1) and "guides/en/student-visa.md" in legal.group(1)
    stale = re.search(r'<table class="list" id="knowledge-stale">(.*?)</table>', html, re.S)
    assert stale and "guides/fr/student-visa.md" in stale.group(1)
