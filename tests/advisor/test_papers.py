"""Answers about photographed papers: the real model, index, Tesseract and starter knowledge.

Pages are rendered and "photographed" (tests/documents/pages.py), read through the
real Tesseract, and answered by ``runtime.papers`` (bot/advisor/papers.py) with the
advisor's own composer, citations, referrals and final check.
"""

from __future__ import annotations

import pytest

from bot.advisor.check import check_answer
from bot.advisor.composer import Budget
from bot.advisor.models import Question
from bot.advisor.runtime import Runtime
from bot.channels.render import profile, render_answer
from tests.documents.pages import CLEAN, NOTICE, PAGES, PHONE, photograph, render

WHATSAPP = profile("whatsapp").budget
FORCED_NOW = "They are forcing me to sign this contract right now, the officer is waiting"


def photo(kind: str, phone: bool = True) -> bytes:
    return photograph(render(NOTICE if kind == "notice" else PAGES[kind]),
                      PHONE if phone else CLEAN)


@pytest.fixture(scope="module")
def contract() -> bytes:
    return photo("military_contract")


def ask(runtime: Runtime, data: bytes, caption: str = "", lang: str | None = "en",
        budget: Budget = WHATSAPP, country: str | None = "RU"):
    return runtime.papers.answer(data, Question(text=caption, lang=lang, country=country), budget)


def test_an_army_contract_says_do_not_sign_first_then_cited_guidance(
        starter_runtime: Runtime, contract: bytes):
    answer = ask(starter_runtime, contract)
    assert answer.status == "answered" and answer.document.kind == "military_contract"
    assert answer.intro.startswith("Do not sign this paper yet. It looks like a contract to "
                                   "serve in Russia's armed forces")
    assert "контракт о прохождении военной службы: contract for military service" in answer.intro
    # The guidance is the kind's guides, quoted verbatim, cited, checked.
    guides = {"papers-to-sign", "pressured-to-sign", "contract-length-discharge",
              "sign-or-be-deported", "is-it-trafficking"}
    assert {c.doc_id for c in answer.citations} <= guides
    assert answer.citations[0].doc_id == "papers-to-sign"  # the editors' first guide leads
    assert answer.sentences and all(s.cites for s in answer.sentences)
    assert check_answer(answer, starter_runtime.watcher.view.referrals) == []
    assert answer.referrals and answer.triage == "sensitive" and not answer.urgent
    text = render_answer(answer, profile("whatsapp"), starter_runtime.strings).text
    assert text.index("Do not sign") < text.index("[1]") < text.index("*Contacts*")


def test_the_json_object_has_the_document_and_no_text_of_the_page(starter_runtime: Runtime,
                                                                   contract: bytes):
    data = ask(starter_runtime, contract).model_dump(mode="json")
    assert {"status", "urgent", "triage", "language", "answer", "citations", "referrals",
            "document"} <= set(data)
    doc = data["document"]
    assert doc["kind"] == "military_contract" and doc["dangerous"] is True
    assert doc["confidence"] >= 0.5 and doc["text_chars"] > 200
    assert {"phrase": "контракт о прохождении военной службы",
            "translation": "contract for military service"} in doc["matched"]
    assert "placeholder" not in data and "intro" not in data
    # The page's own words (a name, a unit number, a sentence) are nowhere in the object.
    dumped = str(data)
    for words in ("Менса", "Кофи", "12345", "добросовестно"):
        assert words not in dumped


def test_being_made_to_sign_now_makes_it_urgent_with_urgent_contacts_first(
        starter_runtime: Runtime, contract: bytes):
    answer = ask(starter_runtime, contract, caption=FORCED_NOW)
    assert answer.triage == "urgent" and answer.urgent
    assert answer.urgent_referrals >= 1
    assert answer.referrals[0].id == "unhcr-russia-hotline"
    text = render_answer(answer, profile("whatsapp"), starter_runtime.strings).text
    assert text.startswith("Do not sign this paper yet.")
    assert text.index("Call for help now") < text.index("[1]")


def test_the_caption_goes_through_the_advisors_triage(starter_runtime: Runtime,
                                                      contract: bytes):
    advisor = starter_runtime.advisor
    assert advisor.level_of(FORCED_NOW) == "urgent"
    assert advisor.level_of("what is this paper?") == "routine"
    assert ask(starter_runtime, contract, caption="what is this paper?").triage == "sensitive"


@pytest.mark.parametrize(("kind", "lang", "start"), [
    ("call_up_papers", "fr", "Ne signez pas ce papier pour l'instant."),
    ("lease", "en", "This paper looks like a lease"),
    ("employment_contract", "ru", "Похоже, это трудовой договор"),
])
def test_other_papers_in_the_readers_language(starter_runtime: Runtime, kind: str, lang: str,
                                              start: str):
    answer = ask(starter_runtime, photo(kind), lang=lang)
    assert answer.document.kind == kind and answer.language == lang
    assert answer.intro.startswith(start), answer.intro
    assert answer.status == "answered" and answer.citations
    if kind == "lease":  # harmless: before signing, read every page
        assert "Before you sign anything" in answer.intro and answer.triage == "routine"


def test_a_caption_in_another_language_sets_the_language(starter_runtime: Runtime,
                                                        contract: bytes):
    answer = ask(starter_runtime, contract, caption="Qu'est-ce que ce papier ?", lang=None)
    assert answer.language == "fr" and answer.intro.startswith("Ne signez pas")


def test_a_paper_of_no_known_kind_is_never_guessed(starter_runtime: Runtime):
    answer = ask(starter_runtime, photo("notice"))
    assert answer.status == "no_answer" and answer.reason == "document_cannot_tell"
    assert answer.document.kind is None and answer.document.reason == "no_known_phrase"
    assert answer.intro.startswith("I could read this paper, but I cannot tell what it is. "
                                   "Send a photo of its first page")
    assert answer.citations == [] and answer.referrals  # the general contacts


def test_a_blurred_photo_asks_for_a_sharper_one(starter_runtime: Runtime):
    from tests.documents.pages import Photo

    blurred = photograph(render(PAGES["military_contract"]), Photo(blur=3.5))
    answer = ask(starter_runtime, blurred)
    assert answer.document.kind is None, answer.document
    assert answer.intro.startswith("I could not read enough text in this photo. Please send a "
                                   "sharper photo")


def test_a_file_that_is_not_a_photo_is_refused_with_what_to_send(starter_runtime: Runtime):
    answer = ask(starter_runtime, b"%!PS-Adobe-3.0 not a photo")
    assert (answer.status, answer.reason) == ("no_answer", "document_refused")
    assert answer.document.reason == "unsupported_type"
    assert answer.intro.startswith("I can read photos (JPEG, PNG or WebP) and PDF files.")
    assert answer.referrals == [] and answer.citations == []


def test_sms_shows_fewer_phrases_and_still_quotes_guidance(starter_runtime: Runtime,
                                                          contract: bytes):
    sms = profile("sms")
    answer = ask(starter_runtime, contract, budget=sms.budget)
    assert len(answer.document.matched) > 2
    shown = [m for m in answer.document.matched if m.phrase in answer.intro]
    assert len(shown) == 2  # SMS carries two sentences: two phrases of the seven found
    text = render_answer(answer, sms, starter_runtime.strings, more_hint="Reply MORE").text
    assert text.startswith("Do not sign") and "[1]" in text
