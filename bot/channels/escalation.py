"""Who sees a WhatsApp or SMS message besides the assistant, and what the user is told.

The triage level decides (``bot/advisor/triage``):

    urgent     flagged for a caseworker, at the top of the inbox with an alarm
    sensitive  flagged for a caseworker, without an alarm
    routine    not flagged

An urgent reply says plainly whether a caseworker has been alerted: only when
the inbox is staffed now (``BOT_INBOX_HOURS`` in ``BOT_INBOX_TIMEZONE``).
Outside those hours, or when none are set, it says a caseworker will read the
message later and what to do until then, pointing only to what follows in the same
message (the renderer picks: steps and numbers, steps, numbers, or nothing). The
words are in ``prompts/safety``.
"""

from __future__ import annotations

from datetime import datetime

from bot.advisor.models import Answer
from bot.advisor.strings import Strings
from bot.config import OfficeHours

# The inbox reason a level is flagged with; a level not here is not flagged.
FLAGGED = {"urgent": "urgent", "sensitive": "sensitive"}


def escalation_reason(level: str) -> str | None:
    """The inbox reason for a message of this triage level, or None: not flagged."""
    return FLAGGED.get(level)


def alert_line(hours: OfficeHours | None, safety: Strings, lang: str, now: datetime) -> str:
    """Whether a caseworker has been alerted, in ``lang``, for an urgent message flagged now."""
    if hours is not None and hours.open_at(now):
        return safety.get("alert_staffed", lang)
    if hours is not None:
        return safety.get("alert_later_hours", lang).format(hours=hours.text)
    return safety.get("alert_later", lang)


UNTIL_THEN = ("both", "steps", "calls")


def with_alert(answer: Answer, hours: OfficeHours | None, safety: Strings,
               now: datetime) -> Answer:
    """``answer`` with its alert line when it is urgent (it has just been flagged), and
    what to do until a caseworker reads it when nobody is there now."""
    if answer.urgent:
        answer.alert = alert_line(hours, safety, answer.language, now)
        staffed = hours is not None and hours.open_at(now)
        answer.until_then = {} if staffed else {
            k: safety.get(f"until_then_{k}", answer.language) for k in UNTIL_THEN}
    return answer
