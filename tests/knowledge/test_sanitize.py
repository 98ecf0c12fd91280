"""The sanitizer: active content is an error, hidden content is stripped with a warning."""

from __future__ import annotations

import pytest

from bot.knowledge.sanitize import sanitize


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        "<SCRIPT src=x>",
        "<style>p{}</style>",
        '<iframe src="https://x.org"></iframe>',
        "<object data=x>",
        "<embed src=x>",
        "[click](javascript:alert(1))",
        '<a href="JavaScript:alert(1)">x</a>',
        '<img src="x.png" onerror="alert(1)">',
        "<svg/onload=alert(1)>",
        "<div onclick = 'x()'>hi</div>",
    ],
)
def test_active_content_is_an_error(snippet: str):
    result = sanitize(f"Fine line.\nBefore {snippet} after\n")
    assert [(f.line, f.severity) for f in result.errors] == [(2, "error")]


def test_an_error_is_reported_once_not_also_as_stripped():
    result = sanitize("<script>x</script>")
    assert len(result.findings) == 1 and result.findings[0].severity == "error"


@pytest.mark.parametrize(
    "text",
    [
        "Call us on=Monday.",  # "on...=" outside a tag
        "See <https://example.org/online=1> and <help@example.org>.",  # autolinks
        "Prices: 3 < 5 and 7 > 2.",
        "Use `javascript` only in code talk.",
    ],
)
def test_harmless_text_is_untouched(text: str):
    assert sanitize(text).text == text and sanitize(text).findings == ()


def test_other_tags_are_stripped_keeping_their_text():
    result = sanitize("One <b>bold</b> word.\n<br/>\n<span class='x'>kept</span>")
    assert result.text == "One bold word.\n\nkept"
    assert {f.severity for f in result.findings} == {"warning"}
    assert [f.line for f in result.findings] == [1, 1, 2, 3, 3]
    assert "<b>" in result.findings[0].message


def test_comments_are_stripped_and_lines_are_kept():
    result = sanitize("a\n<!-- note\nfor editors -->\nb <!-- x --> c\n")
    assert result.text == "a\n\n\nb  c\n"
    assert [(f.line, f.message) for f in result.findings] == [
        (2, "removed HTML comment"),
        (4, "removed HTML comment"),
    ]


def test_tags_inside_a_comment_give_one_warning():
    result = sanitize("<!-- <b>x</b> -->text")
    assert result.text == "text" and len(result.findings) == 1


def test_unclosed_comment_marker_is_removed_text_kept():
    result = sanitize("a <!-- b\nc")
    assert result.text == "a  b\nc" and result.findings[0].severity == "warning"


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\u200b", "ZERO WIDTH SPACE"),
        ("\u200d", "ZERO WIDTH JOINER"),
        ("\u200f", "RIGHT-TO-LEFT MARK"),
        ("\u202e", "RIGHT-TO-LEFT OVERRIDE"),
        ("\u2060", "WORD JOINER"),
        ("\u2066", "LEFT-TO-RIGHT ISOLATE"),
        ("\ufeff", "ZERO WIDTH NO-BREAK SPACE"),
        ("\u00ad", "SOFT HYPHEN"),
    ],
)
def test_invisible_characters_are_stripped_with_their_name_and_line(char: str, name: str):
    result = sanitize(f"first\nCall 8-800{char}-333\n")
    assert result.text == "first\nCall 8-800-333\n"
    (finding,) = result.findings
    assert finding.line == 2 and finding.severity == "warning"
    assert name in finding.message and f"U+{ord(char):04X}" in finding.message


def test_leading_bom_is_dropped_silently():
    result = sanitize("\ufeffText")
    assert result.text == "Text" and result.findings == ()


def test_visible_unicode_is_kept():
    text = "Право на адвоката. حقوقك. 你的权利. café — «ok»"
    assert sanitize(text).text == text


def test_long_text_is_fast():
    import time

    text = "A line with <b>some</b> markup and a\u200b hidden char.\n" * 20000
    start = time.perf_counter()
    result = sanitize(text)
    assert time.perf_counter() - start < 2.0
    assert len(result.findings) == 60000 and "<b>" not in result.text


@pytest.mark.parametrize(
    "word",
    [
        "र\u094d\u200dय",  # Nepali eyelash ra: consonant, virama, zero-width joiner, consonant
        "क\u094d\u200cष",  # Hindi: a non-joiner keeps the virama visible
        "می\u200cخواهم",  # Persian: the non-joiner separates a prefix inside a word
    ],
)
def test_a_joiner_inside_a_word_is_text_and_kept(word: str):
    text = f"पहिले {word} पढ्नुहोस्\n"
    assert sanitize(text).text == text
    assert sanitize(text).findings == ()


def test_a_joiner_at_a_word_edge_is_still_stripped():
    result = sanitize("Call\u200d 8-800\n")
    assert result.text == "Call 8-800\n" and "U+200D" in result.findings[0].message
