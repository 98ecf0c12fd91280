"""``bot.text.sentences``: splitting that respects legal references and other scripts."""

from __future__ import annotations

import pytest

from bot.text.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The right is in Art. 24.2 of the Code. Ask for an interpreter.",
            ["The right is in Art. 24.2 of the Code.", "Ask for an interpreter."],
        ),
        (
            "The right is in Article 24.2 of the Code. Ask again.",
            ["The right is in Article 24.2 of the Code.", "Ask again."],
        ),
        (
            "Speak your own language, e.g. French or Arabic. Then wait.",
            ["Speak your own language, e.g. French or Arabic.", "Then wait."],
        ),
        (
            "Bring a friend, i.e. Someone you trust. Law No. 115 applies. Done.",
            ["Bring a friend, i.e. Someone you trust.", "Law No. 115 applies.", "Done."],
        ),
        (
            "मलाई मद्दत चाहिन्छ। म के गरूँ? दूतावासलाई फोन गर्नुहोस्।",
            ["मलाई मद्दत चाहिन्छ।", "म के गरूँ?", "दूतावासलाई फोन गर्नुहोस्।"],
        ),
        (
            "ماذا أفعل؟ اتصل بالسفارة. لا توقع أي شيء!",
            ["ماذا أفعل؟", "اتصل بالسفارة.", "لا توقع أي شيء!"],
        ),
        (
            'He said "Sign now." Do not sign.',
            ['He said "Sign now."', "Do not sign."],
        ),
        (
            "Call within 3 hours. 12 hours later the consulate is told.",
            ["Call within 3 hours. 12 hours later the consulate is told."],
        ),
        (
            "Stay calm. do not resist.",
            ["Stay calm. do not resist."],
        ),
    ],
)
def test_sentences_end_where_they_should(text: str, expected: list[str]):
    assert split_sentences(text) == expected


def test_bullets_and_line_breaks_always_end_a_sentence():
    text = (
        "Our advice:\n- Ask for a lawyer\n* Ask for an interpreter\n• Call home\n"
        "1. Do not sign\n2) Stay calm"
    )
    assert split_sentences(text) == [
        "Our advice:",
        "Ask for a lawyer",
        "Ask for an interpreter",
        "Call home",
        "Do not sign",
        "Stay calm",
    ]


def test_blank_and_empty_text_give_no_sentences():
    assert split_sentences("") == []
    assert split_sentences("\n  \n\t") == []


def test_every_character_of_a_sentence_comes_from_the_text():
    text = "First one. Second one!\n- Third one? Fourth one."
    for sentence in split_sentences(text):
        assert sentence in text
