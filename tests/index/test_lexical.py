"""``bot.index.lexical``: exact words, numbers and article references for BM25."""

from __future__ import annotations

import pytest

from bot.index.lexical import BM25Index, tokenize


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("The right to an interpreter is in Article 24.2 of the Code.", "24.2"),
        ("Call the hotline 8-800-333-00-16 free of charge.", "8-800-333-00-16"),
        ("Federal Law No. 115-FZ governs foreign citizens.", "115-fz"),
        ("Decree 12/2024 of the ministry", "12/2024"),
    ],
)
def test_numbers_stay_whole(text: str, token: str):
    tokens = tokenize(text)
    assert token in tokens
    # ...and are not also cut into their parts.
    for part in ("24", "800", "333", "115", "fz", "2024"):
        if part != token:
            assert part not in tokens


def test_case_and_unicode_are_normalised_and_stop_words_dropped():
    assert tokenize("The PASSPORT and the Passport") == ["passport", "passport"]
    assert tokenize("Ｐａｓｓｐｏｒｔ") == ["passport"]  # full-width letters (NFKC)
    assert tokenize("les documents de l'université") == ["document", "l", "université"]


def test_other_scripts_are_tokens_too():
    assert tokenize("जागिरको प्रस्ताव") and tokenize("جواز السفر") == ["جواز", "السفر"]


PASSAGES = [
    "If police detain you, ask for a lawyer and ask for an interpreter. Ask again.",
    "Ask your embassy for help. Ask for a lawyer if the police come to your room.",
    "Army contracts were hidden among forms at the Sakharovo migration centre.",
    "Under Article 24 of another law, and Article 2, other rules apply to workers.",
    "The right to an interpreter is in Article 24.2 of the Code of Administrative Offences.",
]


def test_bm25_ranks_the_passage_with_the_exact_rare_word_first():
    index = BM25Index(PASSAGES)
    assert len(index) == len(PASSAGES)
    # "lawyer" is in two passages, "Sakharovo" in one: the rare word decides.
    ranked = index.search("a lawyer in Sakharovo", k=5)
    assert ranked[0][0] == 2
    assert ranked[0][1] > ranked[1][1]


def test_bm25_ranks_the_exact_article_number_first():
    ranked = BM25Index(PASSAGES).search("What does Article 24.2 say?", k=5)
    assert ranked[0][0] == 4


def test_bm25_returns_nothing_for_unknown_words_and_respects_k():
    index = BM25Index(PASSAGES)
    assert index.search("zebra xylophone", k=5) == []
    assert len(index.search("ask lawyer police", k=1)) == 1
    assert BM25Index([]).search("anything", k=3) == []
