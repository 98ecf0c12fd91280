"""Is this webhook from Twilio? ``X-Twilio-Signature`` checked with Twilio's own validator.

The URL signed is the one Twilio called: ``BOT_PUBLIC_BASE_URL`` + path + the
query string byte for byte, so the check holds behind a TLS-terminating proxy
where the app itself sees ``http://internal/...``. Forwarded headers are not
trusted for this.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from twilio.request_validator import RequestValidator


class FormParams:
    """POST parameters with repeated names kept, in the shape the validator reads."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._pairs = list(pairs)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(dict.fromkeys(k for k, _ in self._pairs))

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self._pairs if k == name]

    def first(self) -> Mapping[str, str]:
        out: dict[str, str] = {}
        for k, v in self._pairs:
            out.setdefault(k, v)
        return out


def public_url(base: str, path: str, query: str) -> str:
    return base.rstrip("/") + path + (f"?{query}" if query else "")


def is_valid(auth_token: str | None, url: str, params: FormParams, signature: str | None) -> bool:
    if not auth_token or not signature:
        return False
    try:
        return bool(RequestValidator(auth_token).validate(url, params, signature))
    except (TypeError, ValueError):  # the library raises on a missing or malformed header
        return False
