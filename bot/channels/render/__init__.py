"""One render path: the advisor's ``Answer`` (or a dialogue ``Reply``) as a channel shows it.

    render_answer(answer, profile("whatsapp"), strings) -> Rendered(text, parts, rest)

Each channel renders once, here: the API and ``bot ask`` (profile ``web``),
the caseworkers' page (``page``), WhatsApp and SMS. The advisor decides what
to say; this module decides how it looks and that it fits:

    profiles.py   what each channel carries (budget, limit, layout): extend here
    answer.py     the answer's sections and the one fitting rule
    reply.py      dialogue replies (commands, apologies, menus)
    contacts.py   the one contact formatter
    limits.py     every length limit, UTF-16 and SMS segment counting
    parts.py      a long text cut into messages (numbered parts, or MORE)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.advisor.models import Answer
from bot.advisor.strings import Strings
from bot.channels.render.answer import layout_answer, sms_urgent_lead
from bot.channels.render.limits import fit
from bot.channels.render.parts import first_and_rest, numbered_parts
from bot.channels.render.profiles import PROFILES, Profile, profile
from bot.channels.render.reply import Reply, contact_pages, layout_reply

__all__ = [
    "PROFILES",
    "Profile",
    "Rendered",
    "Reply",
    "profile",
    "render_answer",
    "render_reply",
]


@dataclass(frozen=True)
class Rendered:
    text: str  # the whole message, as the channel shows it (the answer JSON's ``answer``)
    parts: list[str]  # the bodies to send now, each within Twilio's limit
    rest: str | None = None  # SMS: what MORE sends next


def _split(text: str, p: Profile, more_hint: str) -> Rendered:
    if p.gsm7:  # measured and cut as sent, so that GSM-7 gets its 153 characters a segment
        text, more_hint = p.sent(text), p.sent(more_hint)
        done = _split(text, replace(p, gsm7=False), more_hint)
        return Rendered(done.text, [p.sent(x) for x in done.parts], done.rest)
    if p.split == "numbered":
        return Rendered(text, numbered_parts(text))
    if p.split == "more":
        first, rest = first_and_rest(text, more_hint)
        return Rendered(text, [first], rest)
    return Rendered(text, [text])


def render_answer(answer: Answer, p: Profile, strings: Strings, *,
                  more_hint: str = "") -> Rendered:
    """The answer for the profile; ``more_hint`` ends an SMS part that has a rest. An
    urgent SMS answer's first part is its lead (the first step and a number to call)."""
    if p.split == "more" and answer.urgent:
        lead, rest = sms_urgent_lead(answer, p, strings, more_hint)
        typed = p.sent
        if lead and not rest:
            return Rendered(lead, [typed(fit(lead))])
        if lead:
            whole = lead + "\n\n" + rest
            first, more = first_and_rest(whole, more_hint)
            if more is None:
                return Rendered(whole, [typed(first)])
            return Rendered(whole, [typed(fit(lead + "\n" + more_hint))], rest)
    return _split(layout_answer(answer, p, strings), p, more_hint)


def render_reply(reply: Reply, p: Profile, strings: Strings, *,
                 more_hint: str | None = None) -> Rendered:
    """A dialogue reply for the profile.

    With ``more_hint`` a long reply is split like an answer (numbered parts on
    WhatsApp, a first part and MORE on SMS; by SMS a list of contacts goes in pages of
    whole contacts, as many as fit); without, it is one message within
    Twilio's limit, its last contacts left out when they do not fit.
    """
    if more_hint is None:
        text = layout_reply(reply, p, strings)
        return Rendered(text, [p.sent(text)])
    text = layout_reply(reply, p, strings, max_units=None)
    paged = contact_pages(reply, p, strings, more_hint) if p.split == "more" else None
    if paged is not None:  # SMS contacts: whole ones, as many a page as fit
        first = p.sent(paged[0])
        return Rendered(text, [first], paged[1])
    return _split(text, p, more_hint)
