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
from bot.advisor.strings import Strings

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
    return " - ".join(parts)


def render(answer: Answer, channel: str | None, strings: Strings) -> str:
    """The answer as the channel shows it, never longer than the channel allows."""
    p = profile(channel)
    lang = answer.language
    blocks: list[str] = []
    if answer.intro:
        blocks.append(answer.intro)
    if answer.sentences:
        blocks.append(
            " ".join(f"{s.text} " + "".join(f"[{n}]" for n in s.cites) for s in answer.sentences)
        )
    if answer.citations:
        if p.sources:
            lines = [p.bold(strings.get("sources", lang))]
            for c in answer.citations:
                where = f"{c.title} - {c.section}" if c.section != c.title else c.title
                lines.append(f"[{c.n}] {where}" + (f" {c.url}" if p.links and c.url else ""))
            blocks.append("\n".join(lines))
        else:
            blocks.append(" ".join(f"[{c.n}] {c.title}" for c in answer.citations))
    contacts = [_contact_line(r, strings, lang) for r in answer.referrals]
    notice = answer.notice

    def assemble(n_contacts: int) -> str:
        parts = list(blocks)
        shown = [c for c in contacts[:n_contacts]]
        if shown:
            parts.append("\n".join([p.bold(strings.get("contacts", lang)), *shown]))
        if notice:
            parts.append(notice)
        return "\n\n".join(parts)

    # Drop the least relevant contacts first; the notice always stays.
    for n in range(len(contacts), -1, -1):
        text = assemble(n)
        if len(text) <= p.max_chars:
            return text
    return text[: p.max_chars - len(notice) - 3].rstrip() + "\n\n" + notice
