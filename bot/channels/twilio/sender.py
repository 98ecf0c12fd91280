"""Sending and deleting messages through Twilio's REST API with the real ``twilio`` client.

``TwilioSender`` implements the ``MessageSender`` seam; its base URL can point
at a local server that behaves like Twilio (``BOT_TWILIO_API_BASE_URL``, for
tests). Outcomes are values: a ``SendResult`` says sent, retry or give up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import unquote

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.store.redact import redact

log = logging.getLogger(__name__)
# The twilio library logs every request's query (a phone number when listing) at INFO:
# its own logger here is held at WARNING whatever the root level is.
_http_log = logging.getLogger("bot.channels.twilio.http")
_http_log.setLevel(logging.WARNING)


class _RedactNumbers(logging.Filter):
    """urllib3 logs request URLs at DEBUG; listing a conversation puts the number in one."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(unquote(message))
        if cleaned != unquote(message):
            record.msg, record.args = cleaned, ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactNumbers())

TWILIO_API = "https://api.twilio.com"
# Not retried: the number opted out (21610), outside WhatsApp's 24-hour window (63016),
# and the other errors that say the request itself is wrong.
PERMANENT_CODES = {21610, 63016, 21211, 21408, 21612, 21614, 63003}
Outcome = Literal["sent", "retry", "failed"]


@dataclass(frozen=True)
class Deletion:
    """What deleting a conversation at Twilio did. ``complete``: every listing answered and
    every message found is gone (deleted now, or already gone)."""

    deleted: int = 0
    failed: int = 0
    listed: bool = True

    @property
    def complete(self) -> bool:
        return self.listed and self.failed == 0


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    sid: str | None = None
    error: str | None = None  # a code and a short reason, never the body or the number


class MessageSender(Protocol):
    def send(self, to: str, from_: str, body: str) -> SendResult: ...

    def delete_conversation(self, addresses: list[str], known_sids: list[str]) -> Deletion: ...


class _RebasedHttpClient(TwilioHttpClient):
    """Sends what the client addresses to api.twilio.com to another base URL."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout, logger=_http_log)
        self._base = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if url.startswith(TWILIO_API):
            url = self._base + url[len(TWILIO_API):]
        return super().request(method, url, *args, **kwargs)


def classify(exc: Exception) -> SendResult:
    if isinstance(exc, TwilioRestException):
        error = f"twilio {exc.code or '-'} (HTTP {exc.status})"
        if exc.code in PERMANENT_CODES:
            return SendResult("failed", error=error)
        if exc.status == 429 or exc.status >= 500:
            return SendResult("retry", error=error)
        return SendResult("failed", error=error)
    # Network errors, timeouts, a garbled response: worth another try.
    return SendResult("retry", error=type(exc).__name__)


class TwilioSender:
    def __init__(
        self, account_sid: str, auth_token: str, base_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        http = _RebasedHttpClient(base_url, timeout) if base_url else TwilioHttpClient(
            timeout=timeout, logger=_http_log)
        self._client = Client(account_sid, auth_token, http_client=http)

    def send(self, to: str, from_: str, body: str) -> SendResult:
        try:
            message = self._client.messages.create(to=to, from_=from_, body=body)
        except Exception as exc:  # noqa: BLE001 - every failure becomes an outcome
            return classify(exc)
        return SendResult("sent", sid=message.sid)

    def delete_conversation(self, addresses: list[str], known_sids: list[str]) -> Deletion:
        """Delete every message to or from any of ``addresses`` (the same number on each
        channel: ``+7...`` and ``whatsapp:+7...``), and the ``known_sids``."""
        sids = dict.fromkeys(known_sids)
        listed = True
        for address in addresses:
            try:
                for found in (*self._client.messages.list(to=address),
                              *self._client.messages.list(from_=address)):
                    sids[found.sid] = None
            except (TwilioException, OSError) as exc:
                listed = False
                log.warning("listing messages for erasure failed: %s", type(exc).__name__)
        deleted = failed = 0
        for sid in sids:
            try:
                if self._client.messages(sid).delete():
                    deleted += 1
            except TwilioRestException as exc:
                if exc.status != 404:  # 404: gone already, which is what we want
                    failed += 1
                    log.warning("deleting a message at Twilio failed: HTTP %s", exc.status)
            except (TwilioException, OSError) as exc:
                failed += 1
                log.warning("deleting a message at Twilio failed: %s", type(exc).__name__)
        return Deletion(deleted, failed, listed)
