"""Tesseract's word table made into lines of text and a count of legible letters."""

from __future__ import annotations

from bot.documents.tesseract import LEGIBLE_CONFIDENCE, words_of

HEADER = "\t".join("level page_num block_num par_num line_num word_num left top width height "
                   "conf text".split())


def row(block: int, line: int, word: int, conf: float, text: str, level: int = 5) -> str:
    return f"{level}\t1\t{block}\t1\t{line}\t{word}\t0\t0\t10\t10\t{conf}\t{text}"


def test_words_are_put_back_on_their_lines():
    tsv = "\n".join([
        HEADER,
        row(1, 1, 0, -1, "", level=4),
        row(1, 1, 1, 96.1, "КОНТРАКТ"),
        row(1, 2, 1, 95.0, "о"),
        row(1, 2, 2, 91.5, "про-"),
        row(1, 3, 1, 90.0, "хождении"),
        row(2, 1, 1, 12.0, "~~"),
        row(2, 1, 2, LEGIBLE_CONFIDENCE - 1, "cлужбы"),
    ])
    page = words_of(tsv)
    assert page.text == "КОНТРАКТ\nо про-\nхождении\n~~ cлужбы"
    assert page.legible_chars == len("КОНТРАКТопрохождении")


def test_an_empty_table_is_no_text():
    assert words_of(HEADER + "\n") == words_of("") and words_of("").text == ""
