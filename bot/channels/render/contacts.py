"""One way to print a referral contact, in three layouts.

Values are printed exactly as the registry has them (the final check compares
them), in one order: how to reach the organisation first (``CONTACT_FIELDS``:
phone, WhatsApp, e-mail, web), then its hours. An entry with no way to reach
it (an embassy, say) shows the first sentence of its notes, which says how to
find one, so a name never stands alone.

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
from bot.text.sentences import split_sentences

Layout = Literal["line", "block", "reach"]
SHOWN_FIELDS = (*CONTACT_FIELDS, "hours")


def _how_to_find(r: ReferralOut) -> str | None:
    sentences = split_sentences(r.notes) if r.notes else []
    return sentences[0] if sentences else None


def format_contact(r: ReferralOut, layout: Layout, strings: Strings, lang: str) -> str:
    if layout == "reach":
        reach = next((getattr(r, k) for k in CONTACT_FIELDS if getattr(r, k)), None)
        reach = reach or _how_to_find(r)
        return f"{r.name}: {reach}" if reach else r.name
    parts = [r.name]
    parts += [f"{strings.get(k, lang)}: {getattr(r, k)}" for k in SHOWN_FIELDS if getattr(r, k)]
    if not any(getattr(r, k) for k in CONTACT_FIELDS):
        found = _how_to_find(r)
        if found:
            parts.append(found)
    return ("\n" if layout == "block" else " - ").join(parts)


def reachable_first(referrals: Sequence[ReferralOut]) -> list[ReferralOut]:
    """Contacts one can call or message first; otherwise the given order (most relevant first)."""
    return sorted(referrals, key=lambda r: 0 if (r.phone or r.whatsapp) else 1)
