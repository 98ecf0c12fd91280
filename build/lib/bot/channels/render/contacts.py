"""One way to print a referral contact, in three layouts.

Values are printed exactly as the registry has them (the final check compares
them), in one order: how to reach the organisation first (``CONTACT_FIELDS``:
phone, WhatsApp, e-mail, web), then its hours. An entry with no verified way to
reach it (an embassy, say) is its name alone; its notes, which say how to find
one, go with the answer's JSON (the web page shows them on the contact's card).

    line   (web)       Name - Phone: 8-800 - Web: https://... - Hours: 9-18
    block  (WhatsApp)  Name / Phone: 8-800 / Web: https://...   one per line: tappable
    reach  (SMS)       Name: 8-800                                the first way to reach it
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
    if layout == "reach":
        reach = next((getattr(r, k) for k in CONTACT_FIELDS if getattr(r, k)), None)
        return f"{r.name}: {reach}" if reach else r.name
    parts = [r.name]
    parts += [f"{strings.get(k, lang)}: {getattr(r, k)}" for k in SHOWN_FIELDS if getattr(r, k)]
    return ("\n" if layout == "block" else " - ").join(parts)


def reachable_first(referrals: Sequence[ReferralOut]) -> list[ReferralOut]:
    """Contacts one can call or message first; otherwise the given order (most relevant first)."""
    return sorted(referrals, key=lambda r: 0 if (r.phone or r.whatsapp) else 1)
