"""What the conversation says by SMS and WhatsApp, through the signed webhook: GSM-7 text by
SMS, a closing line after thanks, the off-topic line, LANG's sentences, the reply language.

The app is served by uvicorn with the session's real runtime, requests are signed with
Twilio's RequestValidator, the store is SQLite in tmp_path, anything sent through the REST
API goes to the local fake Twilio (a user test found each of these, issue 13's follow-up).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.advisor.runtime import Runtime
from bot.advisor.strings import load_strings
from bot.channels.commands import load_commands
from bot.channels.conversation.welcome import welcome_text
from bot.channels.conversation.words import load_dialogue
from bot.channels.render.limits import gsm7_typography, is_gsm7, sms_units
from bot.text.languages import SERVED
from tests.app.harness import AppServer, serve_on_fake
from tests.channels.twilio_fake import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
DIALOGUE = load_dialogue(ROOT / "prompts")
COMMANDS = load_commands(ROOT / "prompts")
STRINGS = load_strings(ROOT / "prompts" / "strings")
# The SMS welcome with the note on deleting (a new sender, or after DELETE): three
# segments where the language is written in GSM-7; in UCS-2 (70 characters a segment)
# a menu of seven items and the note cannot fit three, so about as many characters.
WELCOME_SEGMENTS = {"gsm7": 3, "ucs2": 8}


def segments(text: str) -> int:
    units, gsm = sms_units(text), is_gsm7(text)
    return 1 if units <= (160 if gsm else 70) else math.ceil(units / (153 if gsm else 67))


@pytest.fixture
def app(tmp_path: Path, fake: FakeTwilio, starter_runtime: Runtime) -> Iterator[AppServer]:
    with serve_on_fake(tmp_path, fake, starter_runtime, fragment_window=0.3) as server:
        yield server


@pytest.mark.parametrize("lang", SERVED)
def test_the_sms_welcome_is_compact_in_every_language(lang: str) -> None:
    # After DELETE the French welcome was 719 characters: 11 segments.
    text = gsm7_typography(welcome_text(DIALOGUE, lang, erase_line=False, compact=True)
                           + "\n" + DIALOGUE.text("privacy_note_sms", lang))
    budget = WELCOME_SEGMENTS["gsm7" if is_gsm7(text) else "ucs2"]
    assert segments(text) <= budget, (lang, len(text), segments(text))
    assert all(f"{n}." in text for n in range(1, 8))  # the whole menu, short
    if lang in ("en", "fr", "sw"):
        assert is_gsm7(text), [ch for ch in text if not is_gsm7(ch)]


def test_an_english_sms_conversation_is_sent_in_gsm7(app: AppServer) -> None:
    # "Sources: [1] Someone is pushing you to…": one "…" made an English SMS UCS-2.
    sender = "+254711234528"
    replies = app.ask("hello", sender, "sms")
    replies += app.ask("1", sender, "sms")
    replies += app.ask("MORE", sender, "sms")
    replies += app.ask("police holding me at station in kazan. they say sign army contract "
                       "or deport. what i do", sender, "sms")
    assert replies and all(is_gsm7(r) for r in replies), [
        (r[:60], [ch for ch in r if not is_gsm7(ch)]) for r in replies if not is_gsm7(r)]
    assert any("[1]" in r for r in replies)


def test_thanks_and_ok_get_a_short_closing_line_not_the_menu(app: AppServer) -> None:
    sender = "+998901234505"
    app.ask("Меня задержали в Москве, в отделе полиции говорят или депортация или контракт "
            "с армией. Что делать?", sender, "sms")
    menu = DIALOGUE.text("menu_intro", "ru")
    for thanks in ("спасибо", "хорошо"):
        [reply] = app.ask(thanks, sender, "sms")
        assert reply == DIALOGUE.text("thanks_reply", "ru"), reply
        assert menu not in reply and segments(reply) == 2  # was 7 segments with the menu
    [reply] = app.ask("thank you so much you helped me yesterday", "+917012345619", "sms")
    assert reply.startswith(DIALOGUE.text("thanks_reply", "en")) and "1." not in reply
    [reply] = app.ask("ok", "+917012345619", "sms")
    assert reply == DIALOGUE.text("thanks_reply", "en")
    # A greeting still gets the menu, and so does "ok" from someone new.
    assert DIALOGUE.text("menu_intro", "en") in app.ask("hello", "+917012345619", "sms")[0]
    assert DIALOGUE.text("menu_intro", "en") in app.ask("ok", "+917012345600", "sms")[0]


def test_a_message_about_something_else_says_what_the_service_is_for(app: AppServer) -> None:
    sender = "+917012345619"
    app.ask("thank you so much you helped me yesterday", sender, "sms")
    [reply] = app.ask("what is the weather in Moscow tomorrow", sender, "sms")
    assert reply.startswith(DIALOGUE.text("off_topic", "en")), reply
    assert DIALOGUE.text("menu_intro", "en") in reply
    assert DIALOGUE.text("erase_line", "en") not in reply


def test_lang_confirms_in_a_whole_sentence_and_names_what_is_served(app: AppServer) -> None:
    sender = "+998901234515"
    [reply] = app.ask("LANG ru", sender, "sms")
    assert reply.startswith("Я буду отвечать по-русски."), reply
    [reply] = app.ask("LANG uz", "+998901234516", "whatsapp")
    assert "uz" in reply and "ru (русский)" in reply and "en (English)" in reply, reply
    assert reply.startswith(COMMANDS.reply("lang_unsupported", "en", code="uz",
                                           languages="")[:20])


def test_a_long_nepali_message_after_a_greeting_answered_in_hindi_is_answered_in_nepali(
    app: AppServer,
) -> None:
    sender = "+9779801234502"
    app.ask("नमस्ते", sender)
    replies = app.ask("मेरो छोरा रुस पढ्न गएको थियो, ३ महिनादेखि फोन उठाउँदैन। साथीले भन्यो ऊ "
                      "सेनामा भर्ती भयो", sender)
    joined = "\n".join(replies)
    assert STRINGS.get("notice", "ne") in joined, joined[-300:]
    assert STRINGS.get("notice", "hi") not in joined


def test_a_spanish_sms_answer_goes_in_gsm7_with_the_letters_gsm7_lacks_folded(
        app: AppServer) -> None:
    """User test 2, d30: a Cuban held by the police got a 507-character Spanish SMS in UCS-2
    (8 segments) for its "ó", "í" and "ú". The letters GSM-7 lacks are written as their
    base letter, those it has ("é", "ñ") stay, the phone numbers are as the registry
    has them, and a Russian reply keeps its script."""
    sender = "+5353234530"
    replies = app.ask("estoy detenido en la policia en moscu me dicen firma contrato militar "
                      "o te deportamos", sender, "sms")
    replies += app.ask("MAS", sender, "sms")
    assert replies and all(is_gsm7(r) for r in replies), [
        (r[:60], [ch for ch in r if not is_gsm7(ch)]) for r in replies if not is_gsm7(r)]
    first = replies[0]
    assert "+7 (495) 660-09-01" in first, first
    assert "é" in first or "ñ" in first, first  # what GSM-7 has is not folded
    assert segments(first) <= 4, (segments(first), len(first))  # was 8 in UCS-2
    [russian] = app.ask("спасибо", "+998901234505", "sms")
    assert russian.startswith(DIALOGUE.text("thanks_reply", "ru")), russian  # in Cyrillic
