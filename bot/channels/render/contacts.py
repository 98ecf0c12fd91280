"""One way to print a referral contact, in three layouts.

Values are printed exactly as the registry has them (the final check compares
them), in one order: how to reach the organisation first (``CONTACT_FIELDS``:
phone, WhatsApp, e-mail, web), then its hours. An entry with no verified way to
reach it (an embassy, say) is its name alone; its notes, which say how to find
one, go with the answer's JSON (the web page shows them on the contact's card).
A registry ``warning`` (an old number, a line a commander must not see) is
shown beside the contact in every layout. The name and warning are those of
the answer's language when the registry translates them (``referral_out``
chose them), so a reader never gets an English warning beside a Russian answer;
the contacts themselves are never translated.

    line   (web)       Name - Phone: 8-800 - Web: https://... - Hours: 9-18 - Note: ...
    block  (WhatsApp)  Name / Phone: 8-800 / Web: https://... / Note: ...   one per line
    reach  (SMS)       Name: 8-800 (Note: ...)                  the first way to reach it,
                       Name: 8-800, WhatsApp: +7 903 ...        and a WhatsApp line beside a phone
                                                                 (a hotline is often on WhatsApp)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from bot.advisor.models import ReferralOut
from bot.advisor.strings import Strings
from bot.knowledge.models import CONTACT_FIELDS

Layout = Literal["line", "block", "reach"]
SHOWN_FIELDS = (*CONTACT_FIELDS, "hours")


def format_contact(r: ReferralOut, layout: Layout, strings: Strings, lang: str) -> str:
    warning = f"{strings.get('warning', lang)}: {r.warning}" if r.warning else ""
    if layout == "reach":
        reach = next((getattr(r, k) for k in CONTACT_FIELDS if getattr(r, k)), None)
        line = f"{r.name}: {reach}" if reach else r.name
        if r.phone and r.whatsapp and r.whatsapp != r.phone:
            # UNHCR's hotline is its WhatsApp number; the phone is its office.
            line += f", {strings.get('whatsapp', lang)}: {r.whatsapp}"
        return f"{line} ({warning})" if warning else line
    parts = [r.name]
    parts += [f"{strings.get(k, lang)}: {getattr(r, k)}" for k in SHOWN_FIELDS if getattr(r, k)]
    if warning:
        parts.append(warning)
    return ("\n" if layout == "block" else " - ").join(parts)


def reach_rank(r: ReferralOut) -> int:
    """0: a phone or WhatsApp; 1: Telegram or e-mail; 2: a website; 3: nothing to reach."""
    if r.phone or r.whatsapp:
        return 0
    if r.telegram or r.email:
        return 1
    return 2 if r.web else 3


def reachable_first(referrals: Sequence[ReferralOut]) -> list[ReferralOut]:
    """Contacts one can call or message first, then those to write to, then websites;
    otherwise the given order (most relevant first)."""
    return sorted(referrals, key=reach_rank)
