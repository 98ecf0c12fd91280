"""The knowledge-gaps page over real HTTP: what is listed, how it is grouped, what is hidden."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.index.embedders import Embedder
from bot.store.db import Database
from bot.store.models import AskedQuestion, Feedback, utcnow
from tests.app.conftest import PASSWORD, Web, sign_in
from tests.app.harness import AppServer, serve, twilio_settings

SENDER = "f00dfeedc0ffee" * 4  # a sender hash: must never reach the page
PASSPORT = [
    ("en", "whatsapp", "My employer took my passport and won't give it back"),
    ("fr", "sms", "Mon patron a confisqué mon passeport"),
    ("ru", "whatsapp", "Работодатель забрал мой паспорт и не отдаёт"),
]
UNRELATED = "Where can I buy halal food in Kazan?"
HOSTILE = "<script>alert('gap')</script> my landlord keeps my deposit"
UNHELPFUL = "Is my Nepali driving licence valid in Russia?"
COMMENT = "The answer cited the Kenya guide <b>not</b> Nepal"
HELPFUL = "How do I extend my student visa before it expires?"
ANSWERED = "Can I change universities in the middle of the year?"
OLD = "Can my wife visit me on a guest invitation?"
OFF_TOPIC = "What will the weather be like in Moscow tomorrow?"  # refused on purpose
OFF_TOPIC_FLAGGED = "Give me a recipe for borscht"  # refused, and a caseworker objected


def _add(db: Database, text: str, *, status: str = "no_answer", lang: str = "en",
         channel: str = "whatsapp", days_ago: float = 0, reason: str = "no_relevant",
         feedback: tuple[bool, str | None] | None = None) -> None:
    with db.session() as s:
        q = AskedQuestion(channel=channel, sender_id=SENDER if channel != "web" else None,
                          user_id=None if channel != "web" else 1, text=text, lang=lang,
                          country="RU", status=status,
                          reason=reason if status == "no_answer" else None,
                          created_at=utcnow() - timedelta(days=days_ago))
        s.add(q)
        s.flush()
        if feedback is not None:
            s.add(Feedback(question_id=q.id, user_id=1, helpful=feedback[0],
                           comment=feedback[1]))


def _fill(db: Database) -> None:
    for lang, channel, text in PASSPORT:
        _add(db, text, lang=lang, channel=channel)
    _add(db, UNRELATED)
    _add(db, HOSTILE, channel="sms")
    _add(db, UNHELPFUL, status="answered", channel="web", feedback=(False, COMMENT))
    _add(db, HELPFUL, status="answered", channel="web", feedback=(True, "spot on"))
    _add(db, ANSWERED, status="answered")
    _add(db, OLD, days_ago=60)
    _add(db, OFF_TOPIC, reason="refused_request")
    _add(db, OFF_TOPIC_FLAGGED, reason="refused_request", channel="web",
         feedback=(False, "this is about food aid"))


def _groups(html: str) -> list[str]:
    return html.split('<section class="card gap-group"')[1:]


@pytest.fixture(scope="module")
def filled(web: Web) -> Web:
    _fill(web.server.db)
    return web


@pytest.fixture
def caseworker(filled: Web) -> Iterator[httpx.Client]:
    with filled.client() as client:
        sign_in(client, "cas")
        yield client


def test_caseworker_sees_similar_questions_grouped(caseworker: httpx.Client) -> None:
    r = caseworker.get("/gaps")
    assert r.status_code == 200
    groups = _groups(r.text)
    passport = [g for g in groups if PASSPORT[0][2].replace("'", "&#39;") in g]
    assert len(passport) == 1, "the passport questions are not in one group"
    group = passport[0]
    for _, _, text in PASSPORT:
        assert text.replace("'", "&#39;") in group
    assert UNRELATED not in group
    counts = [int(m) for m in re.findall(r'data-count="(\d+)"', r.text)]
    assert counts == sorted(counts, reverse=True)
    # Languages, channels and reasons of the group are shown.
    for shown in ("en", "fr", "ru", "whatsapp", "sms", "no answer: no_relevant"):
        assert shown in group


def test_only_unanswered_or_unhelpful_questions_are_listed(caseworker: httpx.Client) -> None:
    html = caseworker.get("/gaps").text
    assert UNHELPFUL in html and "marked not helpful" in html
    assert HELPFUL not in html and "spot on" not in html
    assert ANSWERED not in html
    assert OLD not in html  # older than the default 30 days
    # An off-topic request refused on purpose is no gap in the knowledge, unless a
    # caseworker said the refusal did not help.
    assert OFF_TOPIC not in html
    assert OFF_TOPIC_FLAGGED in html
    assert OLD in caseworker.get("/gaps", params={"days": "90"}).text
    assert 'value="30" selected' in html
    # A period that is not on the menu falls back to the default.
    assert caseworker.get("/gaps", params={"days": "lots"}).status_code == 200


def test_stored_text_is_escaped_and_senders_never_shown(caseworker: httpx.Client) -> None:
    html = caseworker.get("/gaps").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;gap&#39;)&lt;/script&gt;" in html
    assert "&lt;b&gt;not&lt;/b&gt; Nepal" in html  # the negative comment, as text
    assert SENDER not in html
    assert "Content-Security-Policy" in caseworker.get("/gaps").headers


def test_signed_out_is_sent_to_sign_in(filled: Web) -> None:
    with filled.client() as client:
        r = client.get("/gaps", headers={"Accept": "text/html"})
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        assert client.get("/gaps").status_code == 401  # not a browser


# Before the model has loaded: the questions, one by one, with a note.


@pytest.fixture(scope="module")
def unloaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    tmp = tmp_path_factory.mktemp("gaps-unloaded")
    settings = twilio_settings(tmp, None, "AC" + "1" * 32, "token-" + "t" * 26,
                               data_dir=tmp / "data")
    with serve(settings, None) as server:
        server.accounts.add("cas", "caseworker", PASSWORD)
        yield server


def test_without_the_model_the_gaps_are_listed_ungrouped(unloaded: AppServer) -> None:
    with httpx.Client(base_url=unloaded.base, timeout=60) as client:
        sign_in(client, "cas")
        assert "No unanswered" in client.get("/gaps").text
        _fill(unloaded.db)
        r = client.get("/gaps")
    assert r.status_code == 200
    assert 'id="gaps-note"' in r.text and "still loading" in r.text
    assert 'id="gaps-list"' in r.text and not _groups(r.text)
    assert UNRELATED in r.text and UNHELPFUL in r.text and ANSWERED not in r.text
    assert "<script>alert" not in r.text and SENDER not in r.text


def test_many_questions_are_capped_and_grouped(embedder: Embedder, tmp_path: Path) -> None:
    """Hundreds of rows: only the most recent MAX_QUESTIONS, embedded in batches."""
    from bot.store.gaps import MAX_QUESTIONS, find_gaps, group_gaps

    db = Database(f"sqlite:///{tmp_path / 'many.sqlite3'}")
    try:
        with db.session() as s:
            for i in range(MAX_QUESTIONS + 40):
                s.add(AskedQuestion(channel="sms", sender_id=SENDER, text=f"question number {i}",
                                    lang="en", status="no_answer",
                                    created_at=utcnow() - timedelta(minutes=i)))
        with db.session() as s:
            gaps = find_gaps(s, utcnow() - timedelta(days=30))
        assert len(gaps) == MAX_QUESTIONS
        assert gaps[0].text == "question number 0"
        groups = group_gaps(gaps, embedder)
        assert sum(g.count for g in groups) == MAX_QUESTIONS
    finally:
        db.close()
