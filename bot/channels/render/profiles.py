"""What each channel can carry and how it lays an answer out: one ``Profile`` per channel.

A profile gives the advisor its ``Budget`` (how much to say) and gives the
renderer its limit and its layout. Adding a channel, or a limit per channel,
means adding or changing a profile here; the rendering code reads only these
fields.

    web       the API and ``bot ask``: plain text with the sources and every contact
    page      the caseworkers' chat page, which shows sources and contacts as panels
    whatsapp  *bold* headings, numbered short sources with their site, contacts one per line
    sms       plain, the most reachable contact first, first part and MORE
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.advisor.composer import DEFAULT_BUDGET, Budget
from bot.channels.render.contacts import Layout
from bot.channels.render.limits import SMS_MAX_CHARS, TWILIO_MAX_BODY, WEB_MAX_CHARS, sms_text

Sources = Literal["full", "short", "inline", "none"]
Split = Literal["none", "numbered", "more"]


def plain(heading: str) -> str:
    return heading


def bold(heading: str) -> str:
    return f"*{heading}*"


def with_colon(heading: str) -> str:
    return heading if heading.rstrip().endswith((":", "：", "፦")) else f"{heading}:"


@dataclass(frozen=True)
class Profile:
    name: str
    budget: Budget  # how much the advisor may say
    max_units: int  # the whole text, in UTF-16 units (limits.py)
    heading: Callable[[str], str]  # how a heading ("Sources", "Contacts") is marked
    sources: Sources  # full titles with links, short names with sites, one line, or none
    contact: Layout  # contacts.py
    reachable_first: bool  # contacts one can call before the others (SMS)
    contact_separator: str  # between two contacts
    other_contacts: bool  # the contacts that are not urgent, after the guidance
    commands: bool  # the user can send CONTACTS, AGENT, MORE...: the texts may say so
    split: Split  # one body, numbered parts, or a first part and MORE
    gsm7: bool = False  # typographic characters as GSM-7 has them (SMS: limits.py)
    # With ``gsm7``: accented letters GSM-7 lacks as base letters when that makes a text
    # GSM-7 (limits.fold_accents; BOT_SMS_FOLD_ACCENTS, applied by ChannelContext.profile).
    fold_accents: bool = False

    def sent(self, text: str) -> str:
        """``text`` as this channel sends it: by SMS, as GSM-7 carries it."""
        return sms_text(text, self.fold_accents) if self.gsm7 else text


WEB = Profile(
    "web", DEFAULT_BUDGET, WEB_MAX_CHARS, plain, "full", "line",
    reachable_first=False, contact_separator="\n", other_contacts=True, commands=False,
    split="none",
)
PROFILES: dict[str, Profile] = {
    "web": WEB,
    "page": Profile(
        "page", WEB.budget, WEB_MAX_CHARS, plain, "none", "line", reachable_first=False,
        contact_separator="\n", other_contacts=False, commands=False, split="none",
    ),
    "whatsapp": Profile(
        "whatsapp", Budget(sentences=4, chars=600, referrals=3), TWILIO_MAX_BODY, bold, "short",
        "block", reachable_first=False, contact_separator="\n\n", other_contacts=True,
        commands=True, split="numbered",
    ),
    "sms": Profile(
        "sms", Budget(sentences=2, chars=300, referrals=2), SMS_MAX_CHARS, with_colon, "inline",
        "reach", reachable_first=True, contact_separator="\n", other_contacts=True,
        commands=True, split="more", gsm7=True, fold_accents=True,
    ),
}


def profile(channel: str | None) -> Profile:
    """The channel's profile; the web's for None or a name without one."""
    return PROFILES.get(channel or "web", WEB)
