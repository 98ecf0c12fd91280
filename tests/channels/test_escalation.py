"""Escalation by triage level, and the line that says whether a caseworker was alerted
(issue 14, issue 13 item 4). No model here: the answers are built by hand and the words
are the shipped prompts/safety files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.advisor.models import Answer
from bot.advisor.strings import load_strings
from bot.channels.escalation import alert_line, escalation_reason, with_alert
from bot.config import PROMPTS_DIR, OfficeHours
from bot.errors import ConfigError
from bot.text.languages import SERVED
from tests.conftest import make_settings

SAFETY = load_strings(PROMPTS_DIR / "safety")
HOURS = OfficeHours.parse("Mon-Fri 09:00-18:00; Sat 10:00-14:00", "Europe/Moscow")
MOSCOW = ZoneInfo("Europe/Moscow")


def test_urgent_and_sensitive_are_flagged_routine_is_not():
    assert escalation_reason("urgent") == "urgent"
    assert escalation_reason("sensitive") == "sensitive"
    assert escalation_reason("routine") is None


@pytest.mark.parametrize(("when", "staffed"), [
    (datetime(2026, 12, 7, 9, 0, tzinfo=MOSCOW), True),  # a Monday, as the office opens
    (datetime(2026, 12, 7, 17, 59, tzinfo=MOSCOW), True),
    (datetime(2026, 12, 7, 18, 0, tzinfo=MOSCOW), False),  # closed at 18:00
    (datetime(2026, 12, 12, 11, 0, tzinfo=MOSCOW), True),  # Saturday morning
    (datetime(2026, 12, 12, 15, 0, tzinfo=MOSCOW), False),  # Saturday afternoon
    (datetime(2026, 12, 13, 11, 0, tzinfo=MOSCOW), False),  # Sunday
    (datetime(2026, 12, 7, 5, 30), False),  # naive UTC: 08:30 in Moscow
    (datetime(2026, 12, 7, 6, 30), True),  # 09:30 in Moscow
])
def test_office_hours_are_read_in_their_time_zone(when: datetime, staffed: bool):
    assert HOURS.open_at(when) is staffed


def test_a_span_may_wrap_the_week_and_24_00_ends_the_day():
    hours = OfficeHours.parse("Sat-Mon 00:00-24:00", "UTC")
    assert hours.open_at(datetime(2026, 12, 13, 23, 59))  # Sunday night
    assert hours.open_at(datetime(2026, 12, 7, 0, 0))  # Monday
    assert not hours.open_at(datetime(2026, 12, 8, 12, 0))  # Tuesday


@pytest.mark.parametrize(("text", "zone", "words"), [
    ("Mon-Fri 9-18", "UTC", "cannot read 'Mon-Fri 9-18'"),
    ("Mon-Fry 09:00-18:00", "UTC", "unknown day"),
    ("Mon 18:00-09:00", "UTC", "ends before it starts"),
    ("Mon 25:00-26:00", "UTC", "impossible time"),
    ("Mon 09:00-18:00", "Moscow", "unknown time zone 'Moscow'"),
])
def test_bad_office_hours_are_refused_at_start_saying_why(
    tmp_path: Path, text: str, zone: str, words: str
):
    with pytest.raises(ConfigError, match="BOT_INBOX_HOURS") as caught:
        make_settings(tmp_path, tmp_path, inbox_hours=text, inbox_timezone=zone)
    assert words in str(caught.value)


def test_the_alert_says_alerted_only_within_office_hours():
    monday_10 = datetime(2026, 12, 7, 10, 0, tzinfo=MOSCOW)
    sunday = datetime(2026, 12, 13, 10, 0, tzinfo=MOSCOW)
    assert alert_line(HOURS, SAFETY, "en", monday_10) == SAFETY.get("alert_staffed", "en")
    later = alert_line(HOURS, SAFETY, "en", sunday)
    assert "alerted" not in later and "Mon-Fri 09:00-18:00" in later and "Europe/Moscow" in later
    # No hours set: nobody is said to be watching.
    unset = alert_line(None, SAFETY, "en", monday_10)
    assert unset == SAFETY.get("alert_later", "en") and "alerted" not in unset


def test_only_an_urgent_answer_carries_the_alert():
    monday_10 = datetime(2026, 12, 7, 10, 0, tzinfo=MOSCOW)
    urgent = Answer(status="answered", urgent=True, triage="urgent", language="fr")
    sensitive = Answer(status="answered", triage="sensitive", language="fr")
    assert with_alert(urgent, HOURS, SAFETY, monday_10).alert == SAFETY.get("alert_staffed", "fr")
    assert with_alert(sensitive, HOURS, SAFETY, monday_10).alert == ""


KEYS = ("you_wrote", "and", "not_exact", "alert_staffed", "alert_later_hours", "alert_later",
        *(f"danger_{d}" for d in ("detained", "signing", "locked_in", "front", "hurt",
                                  "self_harm", "signed", "unknown")))


@pytest.mark.parametrize("lang", SERVED)
def test_the_safety_words_are_written_in_every_served_language(lang: str):
    table = yaml.safe_load((PROMPTS_DIR / "safety" / f"{lang}.yaml").read_text(encoding="utf-8"))
    assert set(KEYS) <= set(table), set(KEYS) - set(table)
    assert "{dangers}" in table["you_wrote"] and "{hours}" in table["alert_later_hours"]
    if lang != "en":  # written in the language, not copied from English
        english = yaml.safe_load((PROMPTS_DIR / "safety" / "en.yaml").read_text("utf-8"))
        assert all(table[k] != english[k] for k in KEYS if k != "and"), lang
