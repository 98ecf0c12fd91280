"""The first lines of a reply about a photo, from prompts/documents, in every served language."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from bot.advisor.strings import Strings
from bot.documents.reading import DocumentReading
from bot.documents.recognise import identify
from bot.documents.wording import describe
from bot.knowledge.document_kinds import DocumentKind
from bot.text.languages import SERVED as SUPPORTED

WORDS = Strings(Path(__file__).resolve().parents[2] / "prompts" / "documents")
CONTRACT = "КОНТРАКТ о прохождении военной службы, войсковая часть 1234, срок контракта"
LEASE = "ДОГОВОР НАЙМА ЖИЛОГО ПОМЕЩЕНИЯ. Наймодатель и наниматель заключили договор."


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", list(SUPPORTED))
def test_every_language_has_every_text_with_the_same_placeholders(lang: str):
    assert lang in WORDS.languages and lang not in WORDS.missing()
    english = WORDS._tables["en"]
    for key, text in WORDS._tables[lang].items():
        assert key in english, f"{lang}: unknown key {key}"
        assert placeholders(text) == placeholders(english[key]), (lang, key)


def test_a_dangerous_paper_starts_with_do_not_sign(kinds: list[DocumentKind]):
    lines = describe(identify(CONTRACT, kinds), "en", WORDS.get)
    assert lines[0] == ("Do not sign this paper yet. It looks like a contract to serve in "
                        "Russia's armed forces (an army contract).")
    assert lines[1].split("\n")[:2] == ["Words on the paper that show this:",
                                        "контракт о прохождении военной службы: contract for "
                                        "military service"]
    assert lines[-1].startswith("I read only this page.")
    assert not any("Before you sign anything" in line for line in lines)


def test_a_harmless_paper_says_what_it_is_and_to_read_every_page(kinds: list[DocumentKind]):
    lines = describe(identify(LEASE, kinds), "fr", WORDS.get)
    assert lines[0] == "Ce papier ressemble à un bail (un contrat de location d'un logement)."
    assert "наймодатель : bailleur (propriétaire)" in lines[1]
    assert lines[2].startswith("Avant de signer quoi que ce soit")


def test_other_kinds_the_page_matched_are_named(kinds: list[DocumentKind]):
    both = identify(CONTRACT + "\n" + LEASE, kinds)
    lines = describe(both, "en", WORDS.get)
    assert lines[0].startswith("Do not sign")
    assert "Parts of it also look like: a lease (a contract to rent a home)." in lines


@pytest.mark.parametrize(
    ("reading", "start"),
    [
        (DocumentReading("cannot_tell", reason="too_little_text"), "I could not read enough"),
        (DocumentReading("cannot_tell", reason="no_known_phrase"), "I could read this paper"),
        (DocumentReading("cannot_tell", reason="unclear"), "I could read this paper"),
        (DocumentReading("refused", reason="unsupported_type"), "I can read photos"),
        (DocumentReading("refused", reason="too_many_pixels"), "This file is too large"),
        (DocumentReading("refused", reason="ocr_failed"), "I could not open the photo"),
        (DocumentReading("refused", reason="empty"), "I could not open the photo"),
    ],
)
def test_no_kind_means_no_guess(reading: DocumentReading, start: str):
    lines = describe(reading, "en", WORDS.get)
    assert len(lines) == 1 and lines[0].startswith(start)


@pytest.mark.parametrize("lang", list(SUPPORTED))
def test_the_longest_reply_head_fits_a_whatsapp_message(kinds: list[DocumentKind], lang: str):
    for kind in kinds:  # every kind's phrases, as if all had been found
        text = "\n".join(p.text for p in kind.phrases)
        reading = identify(text + "\n" + LEASE, kinds)
        head = "\n\n".join(describe(reading, lang, WORDS.get))
        assert len(head) < 1000, (lang, kind.kind, len(head))  # room left for guidance
