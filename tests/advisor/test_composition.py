"""Clean composition (issue 13): no list cut after its colon, no sentence said twice."""

from __future__ import annotations

from typing import Any, cast

from bot.advisor.composer import Budget, ExtractiveComposer
from bot.knowledge.models import Passage
from bot.retrieval.retriever import Hit


def hit(text: str, score: float, n: int = 0) -> Hit:
    passage = Passage(f"doc{n}:en:s", f"doc{n}", "en", "A guide", "A section", text,
                      f"guides/en/doc{n}.md", 0)
    return Hit(passage, cast(Any, None), score, 0.9)


def test_an_introduction_never_ends_the_answer_without_its_list() -> None:
    text = ("You can ask for help in three places:\n"
            "- The UNHCR hotline answers in Russian and English.\n"
            "- Your embassy can issue a new passport.\n"
            "- A lawyer can go with you to the police.")
    composed = ExtractiveComposer().compose("where can I ask for help", [hit(text, 1.0)],
                                            Budget(sentences=1, chars=500, referrals=0))
    assert [c.text for c in composed] == ["The UNHCR hotline answers in Russian and English."]


def test_an_introduction_goes_with_the_first_item_of_its_list() -> None:
    text = "If they take your passport:\n- Ask for a written receipt.\n- Then call your embassy."
    composed = ExtractiveComposer().compose("they take my passport", [hit(text, 1.0)],
                                            Budget(sentences=3, chars=500, referrals=0))
    texts = [c.text for c in composed]
    intro = next((i for i, t in enumerate(texts) if t.endswith(":")), None)
    assert intro is not None and texts[intro + 1] == "Ask for a written receipt."


def test_a_sentence_two_guides_repeat_is_said_once() -> None:
    warning = "Never sign a paper you cannot read, whatever you are promised."
    hits = [hit(f"{warning} Keep a copy of your passport.", 1.0, 0),
            hit(f"{warning} Ask your embassy for help.", 0.9, 1)]
    composed = ExtractiveComposer().compose("sign a paper", hits,
                                            Budget(sentences=5, chars=900, referrals=0))
    texts = [c.text for c in composed]
    assert texts.count(warning) == 1 and len(texts) == 3
