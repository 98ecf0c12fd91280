"""Heading-aware passages with stable ids."""

from __future__ import annotations

import dataclasses
from datetime import date

from bot.knowledge.chunker import MAX_CHARS, has_text, slug, split_passages
from bot.knowledge.models import Document


def doc(body: str, **changes) -> Document:
    base = Document(
        id="visa",
        title="Your visa",
        lang="en",
        countries=("RU",),
        topics=(),
        referrals=(),
        sources=(),
        status="published",
        reviewed_by="x",
        reviewed_on=date(2026, 1, 1),
        review_due=date(2027, 1, 1),
        body=body,
        path="guides/en/visa.md",
        body_line=12,
        checksum="0",
    )
    return dataclasses.replace(base, **changes)


def test_sections_follow_the_heading_path():
    body = (
        "Intro text.\n\n# Rights\nGeneral.\n\n## A lawyer\nAsk for one.\n\n"
        "### Free lawyers\nSome are free.\n\n## Consulate\nCall it.\n\n# Next\nThen.\n"
    )
    passages = split_passages(doc(body))
    assert [(p.section, p.text) for p in passages] == [
        ("Your visa", "Intro text."),
        ("Rights", "General."),
        ("Rights > A lawyer", "Ask for one."),
        ("Rights > A lawyer > Free lawyers", "Some are free."),
        ("Rights > Consulate", "Call it."),
        ("Next", "Then."),
    ]
    assert [p.position for p in passages] == list(range(6))
    assert passages[2].id == "visa:en:rights-a-lawyer"
    assert {(p.doc_id, p.lang, p.title, p.path) for p in passages} == {
        ("visa", "en", "Your visa", "guides/en/visa.md")
    }


def test_empty_sections_are_skipped_and_deep_headings_stay_inside():
    body = "# Rights\n## A lawyer\nAsk.\n#### Note\nDetail.\n"
    passages = split_passages(doc(body))
    assert [(p.section, p.text) for p in passages] == [("Rights > A lawyer", "Ask.\nNote\nDetail.")]


def test_markup_becomes_plain_text():
    body = (
        "## Help\nCall **now**, _quietly_ and `calmly`.\nSame paragraph.\n\n"
        "- first item\n- [the hotline](tel:88003330016)\n- done!\n\n"
        "See [this page](https://example.org/a) or <https://example.org/b>.\n\n"
        "> A quote\n\n1. one\n2. two\n"
    )
    (passage,) = split_passages(doc(body))
    assert passage.text == (
        "Call now, quietly and calmly. Same paragraph.\n"
        "first item.\nthe hotline (88003330016).\ndone!\n"
        "See this page (https://example.org/a) or https://example.org/b.\n"
        "A quote\none.\ntwo."
    )


def test_headings_inside_code_fences_are_not_headings():
    body = "## Letter\nSend this:\n\n```\n# Not a heading\nDear   consul,\n```\n\n~~~\n## no\n~~~\n"
    (passage,) = split_passages(doc(body))
    assert passage.section == "Letter"
    assert passage.text == "Send this:\n# Not a heading\nDear consul,\n## no"


def test_ids_are_stable_when_another_section_changes():
    before = "## One\nFirst.\n\n## Two\nSecond.\n\n## Three\nThird.\n"
    after = "## One\nFirst, now much longer and rewritten.\n\n## New\nAdded.\n\n## Three\nThird.\n"
    ids_before = {p.section: p.id for p in split_passages(doc(before))}
    ids_after = {p.section: p.id for p in split_passages(doc(after))}
    assert ids_before["One"] == ids_after["One"] == "visa:en:one"
    assert ids_before["Three"] == ids_after["Three"] == "visa:en:three"


def test_repeated_sections_get_suffixes():
    body = "## Steps\nA.\n\n## Steps\nB.\n\n## Steps\nC.\n"
    ids = [p.id for p in split_passages(doc(body))]
    assert ids == ["visa:en:steps", "visa:en:steps-2", "visa:en:steps-3"]


def test_a_long_section_is_split_at_paragraph_boundaries():
    paragraphs = [f"Paragraph {i} " + "word " * 60 for i in range(8)]  # ~320 chars each
    passages = split_passages(doc("## Long\n" + "\n\n".join(paragraphs) + "\n\n## After\nEnd.\n"))
    long = [p for p in passages if p.section == "Long"]
    assert len(long) >= 2
    assert all(len(p.text) <= MAX_CHARS for p in long)
    assert "\n".join(p.text for p in long) == "\n".join(" ".join(x.split()) for x in paragraphs)
    assert [p.id for p in long][:2] == ["visa:en:long", "visa:en:long-2"]
    assert passages[-1].id == "visa:en:after"
    assert [p.position for p in passages] == list(range(len(passages)))


def test_one_huge_paragraph_is_split_at_sentences():
    text = " ".join(f"Sentence number {i} is here." for i in range(100))
    passages = split_passages(doc(text))
    assert len(passages) > 1 and all(len(p.text) <= MAX_CHARS for p in passages)
    assert " ".join(p.text for p in passages) == text


def test_tables_become_rows():
    body = "## Numbers\n| who | phone |\n|---|---|\n| hotline | 8-800 |\n"
    (passage,) = split_passages(doc(body))
    assert passage.text == "who; phone\nhotline; 8-800"


def test_slug():
    assert slug("Your rights > A lawyer") == "your-rights-a-lawyer"
    assert slug("Qui prolonge votre visa ?") == "qui-prolonge-votre-visa"
    assert slug("Право на адвоката") == "право-на-адвоката"
    assert slug("!!!") == "section"


def test_has_text():
    assert has_text("## A\nText")
    assert not has_text("## A\n### B\n\n")
    assert not has_text("")


def test_a_list_item_that_ends_as_a_sentence_in_any_script_gets_no_second_stop():
    # "शुरू किया।." reached a Hindi user (a list item ending in the danda got a ".").
    body = ("## Help\n- एक कॉल सेंटर शुरू किया।\n- ماذا أفعل؟\n- ውል አይፈርሙ።\n"
            "- Ask why?\n- Call (8-800)\n- Say \"no.\"\n")
    (passage,) = split_passages(doc(body, lang="hi"))
    assert passage.text == ("एक कॉल सेंटर शुरू किया।\nماذا أفعل؟\nውል አይፈርሙ።\n"
                            "Ask why?\nCall (8-800).\nSay \"no.\"")
