"""Dialogue replies: what the assistant says that is not a retrieval answer.

A command's reply (HELP, LANG, the CONTACTS list), the apology when something
failed, a later welcome menu: a ``Reply`` is a text in the user's language and
the contacts to list after it, laid out with the same contact formatter as an
answer and kept within the same limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.advisor.models import ReferralOut
from bot.advisor.strings import Strings
from bot.channels.render.answer import contact_lines
from bot.channels.render.limits import (
    SMS_CONTACT_SEGMENTS,
    SMS_MAX_CHARS,
    TWILIO_MAX_BODY,
    fit,
    sms_part_limit,
    sms_units,
    utf16_units,
)
from bot.channels.render.profiles import Profile


@dataclass(frozen=True)
class Reply:
    text: str
    lang: str | None = None
    contacts: Sequence[ReferralOut] = field(default_factory=tuple)


def layout_reply(reply: Reply, p: Profile, strings: Strings,
                 max_units: int | None = TWILIO_MAX_BODY) -> str:
    """The reply's text and its contacts; within ``max_units`` (None: any length) the
    contacts that fit, from the first."""
    lines = contact_lines(reply.contacts, p, strings, reply.lang or "en")
    for n in range(len(lines), -1, -1):
        text = "\n\n".join(x for x in (reply.text, p.contact_separator.join(lines[:n])) if x)
        if max_units is None or utf16_units(text) <= max_units:
            return text
    return fit(reply.text, max_units or TWILIO_MAX_BODY)


def contact_pages(reply: Reply, p: Profile, strings: Strings,
                  more_hint: str) -> tuple[str, str | None] | None:
    """SMS: the reply's text and as many whole contacts as fit in one page (up to
    :data:`SMS_CONTACT_SEGMENTS` segments), ending with ``more_hint`` when some are left;
    the rest (whole contacts, one a line) for MORE. None without contacts."""
    lines = contact_lines(reply.contacts, p, strings, reply.lang or "en")
    if not lines:
        return None
    hint = "\n" + more_hint

    def page(n: int, last: bool) -> str:
        body = "\n\n".join(x for x in (reply.text, p.contact_separator.join(lines[:n])) if x)
        return body if last else body + hint

    def fits(text: str) -> bool:
        sent = p.sent(text)  # as GSM-7 carries it: 153 characters a segment, not 67
        limit = min(sms_part_limit(sent, SMS_CONTACT_SEGMENTS), SMS_MAX_CHARS)
        return sms_units(sent) <= limit

    if fits(page(len(lines), last=True)):
        return page(len(lines), last=True), None
    n = max(1, max((k for k in range(1, len(lines)) if fits(page(k, last=False))), default=1))
    return fit(page(n, last=False)), "\n".join(lines[n:])
