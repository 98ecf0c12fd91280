"""Reading a message before anything is searched (issue 13): greetings and fragments get the
menu, real questions never do. No model: the words are data in prompts/dialogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.conversation.reading import read
from bot.channels.conversation.session import Session
from bot.channels.conversation.welcome import welcome_text
from bot.channels.conversation.words import DialogueWords, load_dialogue
from bot.evaluation.questions import load_questions
from bot.text.languages import SERVED

ROOT = Path(__file__).resolve().parents[2]
VAGUE, AFTER_GREETING = 8, 25  # the settings' defaults


@pytest.fixture(scope="module")
def words() -> DialogueWords:
    return load_dialogue(ROOT / "prompts")


@pytest.mark.parametrize(("text", "kind", "lang"), [
    ("hello", "greeting", "en"),
    ("Hello??", "greeting", "en"),
    ("please", "filler", "en"),
    ("help me please", "filler", "en"),
    ("hi I am scared", "vague", "en"),
    ("Hello? Is this the help line? I am a student from Kenya in Kazan and I am scared",
     "vague", "en"),
    ("thank you", "thanks", "en"),
    ("Habari", "greeting", "sw"),
    ("nifanye nini sasa", "filler", "sw"),  # "sasa" after a question is "now", not "hi"
    ("Hola", "greeting", "es"),
    ("Bonjour", "greeting", "fr"),
    ("merci", "thanks", "fr"),
    ("Здравствуйте", "greeting", "ru"),
    ("мне страшно", "vague", "ru"),
    ("السلام عليكم", "greeting", "ar"),
    ("नमस्ते जी", "greeting", "hi"),
    ("ሰላም", "greeting", "am"),
    ("Olá, boa tarde", "greeting", "pt"),
])
def test_greetings_and_fragments_are_not_questions(words: DialogueWords, text: str, kind: str,
                                                   lang: str) -> None:
    reading = read(text, words, VAGUE, AFTER_GREETING)
    assert reading.kind == kind
    assert reading.langs[:1] == (lang,)


def test_a_story_after_a_greeting_says_who_and_where(words: DialogueWords) -> None:
    reading = read("Hello? Is this the help line? I am a student from Kenya in Kazan and I am "
                   "scared", words, VAGUE, AFTER_GREETING)
    assert (reading.nationality, reading.location) == ("KE", "RU")


@pytest.mark.parametrize(("text", "choice"), [("3", 3), ("#2", 2), ("٢", 2), ("७", 7),
                                              ("no 5", 5)])
def test_menu_numbers_in_any_script(words: DialogueWords, text: str, choice: int) -> None:
    reading = read(text, words, VAGUE)
    assert (reading.kind, reading.choice) == ("choice", choice)


def test_no_real_question_of_the_question_sets_gets_the_menu(words: DialogueWords) -> None:
    """The false-positive rate of the rule, on 800 questions nobody wrote for it: zero.
    (Messages it reads as vague are all out-of-scope ones, which expect no answer.)"""
    wrong = []
    for name in ("questions.yaml", "holdout.yaml"):
        for q in load_questions(ROOT / "tests" / "eval" / name):
            reading = read(q.question, words, VAGUE, AFTER_GREETING)
            if q.expect_status == "answered" and reading.kind != "question":
                wrong.append(f"{name}:{q.line} {reading.kind}: {q.question}")
    assert not wrong, "\n".join(wrong)


def test_follow_ups_are_asked_with_the_previous_question(words: DialogueWords) -> None:
    session = Session(question="They took my passport at work, what can I do?",
                      situation="passport")
    brother = read("and my brother?", words, VAGUE)
    assert session.in_context("and my brother?", brother).startswith("They took my passport")
    signed = read("what if I already signed?", words, VAGUE)
    assert session.follows(signed)
    new = read("The police detained me at the metro station yesterday evening, what now?",
               words, VAGUE)
    assert not session.follows(new)
    assert not session.follows(read("hello", words, VAGUE))
    # "They ..." starts like a reference back, but names its own danger: a new question.
    danger = read("They locked us in and will send us to the front tomorrow, help", words,
                  VAGUE)
    assert not session.follows(danger)


@pytest.mark.parametrize("lang", SERVED)
def test_the_welcome_menu_is_in_every_served_language(words: DialogueWords, lang: str) -> None:
    own = words.strings.missing().get(lang, [])
    assert not [k for k in own if k.startswith(("welcome", "menu_", "situation_", "danger"))]
    text = welcome_text(words, lang)
    assert words.text("erase_line", lang) in text and words.text("danger_line", lang) in text
    assert [line[:2] for line in text.splitlines() if line[:1].isdigit()] == [
        f"{n}." for n in range(1, 8)]


def test_salam_is_not_read_as_amharic(words: DialogueWords) -> None:
    """"salam" is written by Arabic, Persian, Urdu and Central Asian speakers: it got the
    Amharic welcome. Only Amharic's own "selam" says Amharic."""
    assert read("salam", words, VAGUE).langs[:1] != ("am",)
    assert read("selam", words, VAGUE).langs[:1] == ("am",)


@pytest.mark.parametrize("text", [
    "mero passport company le lyo, kotha ma tala lagayera rakheko cha, bholi front ma "
    "pathaune re. k garne? ma nepali ho",
    "ana masri fe russia, el kafil akhad el basbor w 3ayzin yeba3tuni el gesh bokra. a3mel eh?",
])
def test_a_stray_word_does_not_choose_the_language_of_a_long_message(words: DialogueWords,
                                                                      text: str) -> None:
    """The privacy note came in French ("le") and Spanish ("el") under English answers."""
    from types import SimpleNamespace

    from bot.advisor.language import detect_language
    from bot.channels.twilio.turns import Turns

    reading = read(text, words, VAGUE, AFTER_GREETING)
    prefs = SimpleNamespace(lang=None)
    chosen = Turns.language(None, prefs, Session(), reading, text)  # type: ignore[arg-type]
    assert chosen == detect_language(text)  # the language the advisor answers in
    assert chosen not in ("fr", "es")
