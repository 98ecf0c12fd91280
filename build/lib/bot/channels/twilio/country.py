"""Where a sender probably is, from the calling code of their number (a hint, never shown).

Only countries the referral registry knows are listed; a +7 number is taken as
Russia, where most of the people this assistant serves are.
"""

from __future__ import annotations

from bot.store.identity import bare_address

CALLING_CODES = {
    "+7": "RU", "+977": "NP", "+91": "IN", "+94": "LK", "+254": "KE", "+233": "GH",
    "+228": "TG", "+998": "UZ", "+996": "KG", "+380": "UA", "+44": "GB", "+1": "US",
    "+880": "BD", "+251": "ET", "+255": "TZ", "+33": "FR", "+221": "SN", "+237": "CM",
}


def country_of(address: str) -> str | None:
    number = bare_address(address)
    for length in (4, 3, 2):
        code = CALLING_CODES.get(number[:length])
        if code:
            return code
    return None
