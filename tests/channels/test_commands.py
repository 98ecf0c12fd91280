"""Conversation commands in every supported language, case- and accent-insensitive."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.commands import KINDS, Command, load_commands
from bot.text.languages import SERVED

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def commands():  # type: ignore[no-untyped-def]
    return load_commands(ROOT / "prompts")


@pytest.mark.parametrize(
    ("text", "kind", "lang"),
    [
        ("HELP", "help", "en"), ("menu", "help", "en"), ("Aide", "help", "fr"),
        ("AÏDE", "help", "fr"), ("مساعدة", "help", "ar"), ("msaada", "help", "sw"),
        ("मद्दत", "help", "ne"), ("मदद", "help", "hi"), ("ПОМОЩЬ", "help", "ru"),
        ("Ajuda", "help", "pt"), ("እርዳታ", "help", "am"),
        ("contacts", "contacts", "en"), ("Контакты", "contacts", "ru"),
        ("more", "more", "en"), ("ЕЩЁ", "more", "ru"), ("еще", "more", "ru"),
        ("agent", "agent", "en"), ("Mhudumu", "agent", "sw"),
        ("DELETE", "delete", "en"), ("supprimer", "delete", "fr"),
        ("futa", "delete", "sw"), ("حذف", "delete", "ar"), ("удалить", "delete", "ru"),
        ("Stop.", "stop", "en"), ("إيقاف", "stop", "ar"), ("ايقاف", "stop", "ar"),
        ("start!", "start", "en"), ("Começar", "start", "pt"), ("comecar", "start", "pt"),
        ("ابدأ", "start", "ar"), ("ጀምር", "start", "am"),
        ("AYUDA", "help", "es"), ("Más", "more", "es"), ("mas", "more", "es"),
        ("borrar", "delete", "es"), ("Empezar", "start", "es"), ("contacto", "contacts", "es"),
    ],
)
def test_keywords(commands, text: str, kind: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    assert commands.parse(text) == Command(kind, lang)  # type: ignore[arg-type]


def test_lang_takes_a_code(commands) -> None:  # type: ignore[no-untyped-def]
    assert commands.parse("LANG fr") == Command("lang", "en", "fr")
    assert commands.parse("langue AR") == Command("lang", "fr", "ar")
    assert commands.parse("язык xx") == Command("lang", "ru", None)
    assert commands.parse("LANG es") == Command("lang", "en", "es")
    assert commands.parse("lengua ES") == Command("lang", "es", "es")


@pytest.mark.parametrize("text", ["What is my visa?", "stop them please", "", "help me now"])
def test_questions_are_not_commands(commands, text: str) -> None:  # type: ignore[no-untyped-def]
    assert commands.parse(text) is None


@pytest.mark.parametrize("text", ["wakala", "Wakala!"])
def test_a_word_for_recruiting_agent_is_not_a_command(commands, text: str) -> None:  # type: ignore[no-untyped-def]
    # Swahili "wakala" also means a recruiting agent: in the help text it alarms, and a
    # message of that one word names a recruiter rather than asking for a caseworker.
    assert commands.parse(text) is None


def test_every_language_has_every_reply_and_keyword(commands) -> None:  # type: ignore[no-untyped-def]
    assert sorted(commands.strings.languages) == sorted(SERVED)
    assert commands.strings.missing() == {}
    for lang in SERVED:
        for kind in KINDS:
            assert commands.strings.get(f"kw_{kind}", lang)


def test_replies_fall_back_to_english(tmp_path: Path) -> None:
    (tmp_path / "commands").mkdir()
    (tmp_path / "commands" / "en.yaml").write_text("kw_help: help\nhelp_text: Hello\n")
    (tmp_path / "commands" / "xx.yaml").write_text("kw_help: hilfe\n")
    commands = load_commands(tmp_path)
    assert commands.parse("HILFE") == Command("help", "xx")
    assert commands.reply("help_text", "xx") == "Hello"


@pytest.mark.parametrize("word", ["cancel", "END", "Quit."])
def test_carrier_stop_words_stop_on_sms_only(commands, word: str) -> None:  # type: ignore[no-untyped-def]
    """A soldier who asked how to cancel his contract, then wrote "cancel" on WhatsApp,
    was unsubscribed and got no answer again (user test, December 2026). On SMS Twilio
    itself stops delivering after these words, so the service must stop too."""
    assert commands.parse(word, "sms") == Command("stop", "en")
    assert commands.parse(word, "whatsapp") is None
    assert commands.parse(word) is None
    for always in ("STOP", "unsubscribe", "стоп"):
        assert commands.parse(always, "whatsapp") is not None
        assert commands.parse(always, "whatsapp").kind == "stop"  # type: ignore[union-attr]
