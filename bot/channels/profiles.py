"""How each channel shows an answer: its budget and its text layout.

The advisor decides what to say; this turns the decision into the text a
person sees on the web page, WhatsApp or SMS. Every body fits the channel's
limit (Twilio refuses messages over 1,600 characters); contacts are printed
exactly as the registry has them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.advisor.composer import Budget
from bot.advisor.models import Answer, ReferralOut
from bot.advisor.sentences import split_sentences
from bot.advisor.strings import Strings
from bot.channels.twilio.format import render_sms, render_whatsapp

Channel = Literal["web", "sms", "whatsapp"]
TWILIO_MAX_BODY = 1600


@dataclass(frozen=True)
class Profile:
    name: Channel
    budget: Budget
    max_chars: int
    bold: Callable[[str], str]
    sources: bool  # list the sources with titles and links
    links: bool  # print source URLs


def _plain(s: str) -> str:
    return s


PROFILES: dict[str, Profile] = {
    "web": Profile("web", Budget(sentences=5, chars=900, referrals=4), 4000, _plain, True, True),
    "whatsapp": Profile(
        "whatsapp", Budget(sentences=4, chars=600, referrals=3), TWILIO_MAX_BODY,
        lambda s: f"*{s}*", True, True,
    ),
    "sms": Profile("sms", Budget(sentences=2, chars=300, referrals=2), 700, _plain, False, False),
}


def profile(channel: str | None) -> Profile:
    return PROFILES.get(channel or "web", PROFILES["web"])


def _contact_line(r: ReferralOut, strings: Strings, lang: str) -> str:
    parts = [r.name]
    for key in ("phone", "whatsapp", "email", "web", "hours"):
        value = getattr(r, key)
        if value:
            parts.append(f"{strings.get(key, lang)}: {value}")
    if len(parts) == 1 and r.notes:
        # No number to publish (an embassy, say): the registry says how to find one.
        parts.append(split_sentences(r.notes)[0])
    return " - ".join(parts)


def _cited(text: str, cites: list[int]) -> str:
    return f"{text} " + "".join(f"[{n}]" for n in cites)


def render(answer: Answer, channel: str | None, strings: Strings, lists: bool = True) -> str:
    """The answer as the channel shows it, never longer than the channel allows.

    Order: what to do now (urgent steps and urgent contacts), then the cited
    guidance and its sources, then the other contacts, then the notice. With
    ``lists=False`` (the caseworkers' page, which shows sources as panels and
    contacts as cards) the list of sources and the other contacts are left out.
    """
    p = profile(channel)
    # WhatsApp and SMS have their own layout (bot/channels/twilio/format.py).
    if p.name == "whatsapp":
        return render_whatsapp(answer, strings, p.max_chars)
    if p.name == "sms":
        return render_sms(answer, strings, p.max_chars)
    lang = answer.language
    head: list[str] = []
    if answer.intro:
        head.append(answer.intro)
    if answer.steps:
        head.append("\n".join(f"{i}. {_cited(s.text, s.cites)}" for i, s in
                               enumerate(answer.steps, start=1)))
    urgent = [_contact_line(r, strings, lang) for r in answer.referrals[: answer.urgent_referrals]]
    if urgent and answer.status == "answered":
        head.append("\n".join([p.bold(strings.get("urgent_contacts", lang)), *urgent]))
        others = answer.referrals[answer.urgent_referrals :]
    else:
        others = answer.referrals
    body: list[str] = list(answer.notes)
    if answer.sentences:
        body.append(" ".join(_cited(s.text, s.cites) for s in answer.sentences))
    if answer.citations and lists:
        if p.sources:
            lines = [p.bold(strings.get("sources", lang))]
            for c in answer.citations:
                where = f"{c.title} - {c.section}" if c.section != c.title else c.title
                lines.append(f"[{c.n}] {where}" + (f" {c.url}" if p.links and c.url else ""))
            body.append("\n".join(lines))
        else:
            body.append(" ".join(f"[{c.n}] {c.title}" for c in answer.citations))
    contacts = [_contact_line(r, strings, lang) for r in others] if lists else []
    notice = answer.notice

    def assemble(n_contacts: int) -> str:
        parts = head + body
        if contacts[:n_contacts]:
            parts.append("\n".join([p.bold(strings.get("contacts", lang)), *contacts[:n_contacts]]))
        if notice:
            parts.append(notice)
        return "\n\n".join(parts)

    # Drop the least relevant contacts first; the notice always stays.
    text = assemble(len(contacts))
    for n in range(len(contacts) - 1, -1, -1):
        if len(text) <= p.max_chars:
            return text
        text = assemble(n)
    if len(text) <= p.max_chars:
        return text
    return text[: p.max_chars - len(notice) - 3].rstrip() + "\n\n" + notice
