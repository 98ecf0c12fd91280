"""From a page's text to a kind: OCR errors forgiven, nothing guessed, danger first."""

from __future__ import annotations

import pytest

from bot.documents.recognise import MIN_TEXT_CHARS, confidence, floor, identify
from bot.knowledge.document_kinds import RECOGNISED_AT, DocumentKind
from bot.knowledge.russian_text import fold

CONTRACT = """КОНТРАКТ
о прохождении военной службы
Министерство обороны Российской Федерации в лице командира войсковой части 12345"""


def test_a_contract_is_recognised_with_the_phrases_that_gave_it_away(kinds: list[DocumentKind]):
    reading = identify(CONTRACT, kinds)
    assert reading.status == "recognised" and reading.kind is not None
    assert reading.kind.kind == "military_contract"
    assert reading.dangerous and reading.confidence >= 0.7
    assert reading.matched("fr")[0] == (
        "контракт о прохождении военной службы", "contrat de service militaire")
    assert ("войсковая часть", "military unit") in reading.matched("en")
    assert reading.placeholder == "[photo: military_contract]"


@pytest.mark.parametrize(
    "ocr_text",
    [
        "KOHTPAKT o прохождении воeнной cлужбы",  # Latin look-alikes, as rus+eng often reads
        "контракт о прохожденнн военной слузкбы",  # letters misread
        "контракт о про-\nхождении военной службы",  # a word broken at the end of a line
        "КОНТРАКТ О ПРОХОЖДЕНИИ ВОЕННОЙ СЛУЖБЫ",  # capitals
        "контракта о прохождении военной службы",  # another grammatical case
    ],
)
def test_ocr_errors_and_endings_are_forgiven(kinds: list[DocumentKind], ocr_text: str):
    reading = identify(ocr_text + "\nгражданин заключил настоящий документ", kinds)
    assert reading.kind is not None and reading.kind.kind == "military_contract", reading


def test_grammatical_cases_fold_to_one_form():
    assert fold("войсковой части") == fold("войсковая часть")
    assert fold("Министерством обороны") == fold("Министерство обороны")
    assert fold("ВОИНСКОГО УЧЁТА") == fold("воинский учет")


def test_a_short_phrase_is_not_found_in_a_word_two_letters_away(kinds: list[DocumentKind]):
    text = "Мы выражаем уверенность, что работы закончатся вовремя. " * 3
    reading = identify(text, kinds)
    assert reading.status == "cannot_tell" and reading.reason == "no_known_phrase"


def test_the_floor_gives_short_phrases_less_slack():
    assert floor(fold("повестка")) > 0.85  # 7 letters: one error at most
    assert floor(fold("контракт о прохождении военной службы")) < floor(fold("повестка")) + 0.05


def test_one_weak_phrase_is_unclear_not_a_kind(kinds: list[DocumentKind]):
    text = "Срок контракта указан ниже. " + "Просим сообщить о своем решении заранее. " * 3
    reading = identify(text, kinds)
    assert reading.status == "cannot_tell" and reading.reason == "unclear" and reading.kind is None


def test_too_little_text(kinds: list[DocumentKind]):
    for text in ("", "   ", "стр. 2", "x" * (MIN_TEXT_CHARS - 1)):
        reading = identify(text, kinds)
        assert (reading.status, reading.reason) == ("cannot_tell", "too_little_text")
        assert reading.as_json("en")["kind"] is None


def test_a_page_read_mostly_by_guessing_is_too_little_text(kinds: list[DocumentKind]):
    garbled = "Гоажданвн заклгочнли настолщий дсговор о нижеслелующем. " * 4  # a blurred page
    assert identify(garbled, kinds).reason == "no_known_phrase"  # as text: just words
    reading = identify(garbled, kinds, legible_chars=40)  # as OCR: few letters were sure
    assert (reading.status, reading.reason) == ("cannot_tell", "too_little_text")
    assert reading.text_chars > 150


def test_a_short_page_with_clear_phrases_is_still_recognised(kinds: list[DocumentKind]):
    reading = identify("ПОВЕСТКА\nвоенный комиссариат", kinds)  # a call-up slip is small
    assert reading.kind is not None and reading.kind.kind == "call_up_papers"
    assert reading.text_chars < MIN_TEXT_CHARS


def test_a_dangerous_kind_is_named_over_a_harmless_one(kinds: list[DocumentKind]):
    text = """ТРУДОВОЙ ДОГОВОР
работодатель и работник; заработная плата; режим рабочего времени; трудовые обязанности
Приложение: контракт о прохождении военной службы"""
    reading = identify(text, kinds)
    assert reading.kind is not None and reading.kind.kind == "military_contract"
    assert [k.kind for k in reading.others] == ["employment_contract"]
    assert reading.as_json("en")["others"] == ["employment_contract"]


def test_confidence_grows_with_evidence():
    assert confidence(RECOGNISED_AT) == 0.5
    assert confidence(2 * RECOGNISED_AT) == 0.75
    assert confidence(1.2) < confidence(3.0) < 1.0


def test_the_json_object_of_the_answer(kinds: list[DocumentKind]):
    document = identify(CONTRACT, kinds).as_json("sw")
    assert set(document) >= {"kind", "confidence", "matched", "text_chars"}
    assert document["kind"] == "military_contract" and document["dangerous"] is True
    assert {"phrase": "войсковая часть", "translation": "kikosi cha jeshi"} in document["matched"]
    assert document["guides"][0] == "papers-to-sign"
    assert document["text_chars"] == sum(ch.isalnum() for ch in CONTRACT)


def test_the_reading_holds_no_text_of_the_page(kinds: list[DocumentKind]):
    secret = "Абдуллаев Жасурбек паспорт АА 7654321"
    reading = identify(CONTRACT + "\n" + secret, kinds)
    for part in ("Абдуллаев", "Жасурбек", "7654321", "12345"):
        assert part not in repr(reading) and part not in str(reading.as_json("en"))
