"""Where a sender probably is, from the calling code of their number (a hint, never shown).

Only countries the referral registry knows are listed; a +7 number is taken as
Russia, where most of the people this assistant serves are. The language of a
calling code only settles a command word two languages share (CONTACTOS is
Spanish and Portuguese).
"""

from __future__ import annotations

from bot.advisor.places import HOME
from bot.store.identity import bare_address

CALLING_CODES = {
    "+7": "RU", "+977": "NP", "+91": "IN", "+94": "LK", "+254": "KE", "+233": "GH",
    "+228": "TG", "+998": "UZ", "+996": "KG", "+380": "UA", "+44": "GB", "+1": "US",
    "+880": "BD", "+251": "ET", "+255": "TZ", "+33": "FR", "+221": "SN", "+237": "CM",
    "+234": "NG", "+20": "EG", "+53": "CU", "+992": "TJ", "+244": "AO",
}


def country_of(address: str) -> str | None:
    number = bare_address(address)
    for length in (4, 3, 2):
        code = CALLING_CODES.get(number[:length])
        if code:
            return code
    return None


def located(country: str | None) -> str | None:
    """Where a sender is, from their number's country alone: Russia for a +7 number,
    otherwise unknown. Most who write are in Russia and keep their home number, so a
    Kenyan number is a Kenyan citizen (a hint for their contacts), not someone in
    Kenya: taking it for a place dropped the lines in Russia from a detained person's
    urgent contacts (user test, c05 and c27)."""
    return country if country == HOME else None


# Countries that speak Spanish or Portuguese, by calling code.
LANGUAGE_CODES = {
    "+53": "es", "+34": "es", "+52": "es", "+54": "es", "+56": "es", "+57": "es",
    "+58": "es", "+51": "es", "+591": "es", "+593": "es", "+595": "es", "+598": "es",
    "+502": "es", "+503": "es", "+504": "es", "+505": "es", "+506": "es", "+507": "es",
    "+240": "es", "+55": "pt", "+351": "pt", "+244": "pt", "+258": "pt", "+245": "pt",
    "+238": "pt", "+239": "pt", "+670": "pt",
}


def language_of(address: str) -> str | None:
    number = bare_address(address)
    for length in (4, 3):
        lang = LANGUAGE_CODES.get(number[:length])
        if lang:
            return lang
    return None
