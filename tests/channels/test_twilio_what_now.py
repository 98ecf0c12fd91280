""""What do I do now?" after a stated situation, through the signed webhook: the steps of
the guidance that fits, never a dated report, the same text again or the menu.

A user test found it: a Tajik builder made to sign a month ago asked "что мне делать
сейчас" and was told that in 2022 contracts were hidden among forms at Sakharovo
(bot/channels/twilio/turns.py ``_news``, more.py ``dated``). The app runs with the
session's real runtime, SQLite in tmp_path, and the local fake Twilio.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.advisor.runtime import Runtime
from bot.channels.conversation.words import load_dialogue
from bot.channels.twilio.more import dated
from tests.app.harness import AppServer, serve_on_fake, without_note
from tests.channels.twilio_fake import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
DIALOGUE = load_dialogue(ROOT / "prompts")

CONVERSATIONS = [
    ("ru", "sms", "+992901234508", [
        "здраствуйте брат меня на стройке заставили подписать бумагу месяц назад типа "
        "трудовой договор теперь говорят это контракт с минобороны",
        "я плохо читаю по русски не знал",
        "что мне делать сейчас"]),
    ("es", "sms", "+5352234512", [
        "firme hace un mes en tula me prometieron 200 mil rublos y no me han pagado nada",
        "y ahora que hago"]),
    ("en", "whatsapp", "+254711234599", [
        "I signed a paper last month, they said it was a work contract, now they say it is "
        "a Ministry of Defence contract",
        "what do I do now"]),
]


@pytest.fixture
def app(tmp_path: Path, fake: FakeTwilio, starter_runtime: Runtime) -> Iterator[AppServer]:
    with serve_on_fake(tmp_path, fake, starter_runtime, fragment_window=0.3) as server:
        yield server


def sentences_of(reply: str) -> list[str]:
    """The answer's own lines: without the sources, the MORE hint and the contacts."""
    body = reply.split("\n\n")[0]
    return [line for line in body.splitlines() if line.strip()]


@pytest.mark.parametrize(("lang", "channel", "sender", "turns"), CONVERSATIONS)
def test_what_now_after_a_situation_gets_steps_not_a_report(
    app: AppServer, lang: str, channel: str, sender: str, turns: list[str]
):
    earlier: list[str] = []
    for text in turns[:-1]:
        earlier += without_note(app.ask(text, sender, channel), lang)
    replies = without_note(app.ask(turns[-1], sender, channel), lang)
    assert replies, "no reply inline"
    lines = sentences_of(replies[0])
    assert lines, replies
    assert DIALOGUE.text("menu_intro", lang) not in replies[0]  # not the menu
    assert not dated(lines[0]), lines  # not "in 2022 it was reported that ..."
    said = {line for reply in earlier for line in sentences_of(reply)}
    assert lines[0] not in said, (lines[0], earlier)  # not the same text again
