"""Downloading a photo a user sent, from Twilio only (SSRF-safe), within 5 MB.

A webhook's ``MediaUrl0`` is a URL anyone who can forge or replay a webhook could
choose, so it is fetched only when it lies under the Twilio API base
(``BOT_TWILIO_API_BASE_URL``, default ``https://api.twilio.com``): same scheme,
host and port, its path under the base's, no user name, no ``..``. The account's
basic auth goes with that request only. Twilio answers with a redirect to its
media store; a redirect is followed only to a host of ``BOT_TWILIO_MEDIA_HOSTS``
(or back under the base), with the base's scheme, at most :data:`MAX_REDIRECTS`
times, and without the credentials; and never to a host whose name resolves to a
private, loopback, link-local or otherwise non-public address (a media host taken
over in DNS must not lead into the operator's network), unless the API base itself
is such an address (a local Twilio-like server, as in the tests). Any other URL is
never requested. (The address is checked when the redirect is read; httpx resolves
the name again to connect, so the allow-list stays the first guard.)

The body is streamed and dropped as soon as it passes :data:`MAX_BYTES` (a
``Content-Length`` above it is refused before any byte is read); the response's
type must be a photo or a PDF (a generic ``application/octet-stream`` lets the bytes
decide, as ``bot.documents.intake`` sniffs them anyway). The whole download has a
deadline. Outcomes are values; nothing here logs a URL or a byte of the photo.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import httpx

from bot.documents.intake import ACCEPTED, MAX_BYTES

log = logging.getLogger(__name__)
_downloading = threading.local()


class _QuietDownloads(logging.Filter):
    """httpx logs every request's URL at INFO: not those of a user's photo (the URL opens it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_downloading, "active", False)


logging.getLogger("httpx").addFilter(_QuietDownloads())  # httpcore logs hosts, not paths

TWILIO_API = "https://api.twilio.com"
MAX_REDIRECTS = 3
DEADLINE_S = 30.0  # the whole download, however slowly the bytes arrive
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
GENERIC_TYPES = {"application/octet-stream", "binary/octet-stream", ""}
ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "application/x-pdf":
           "application/pdf"}

Reason = Literal["not_twilio", "redirect_refused", "too_large", "unsupported_type",
                 "http_error", "network"]
Resolver = Callable[[str], list[str]]  # a host name -> its IP addresses


@dataclass(frozen=True)
class Media:
    """One attachment of a webhook: where Twilio keeps it and what Twilio says it is."""

    url: str
    content_type: str

    @property
    def kind(self) -> str:
        return media_type(self.content_type)


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str


@dataclass(frozen=True)
class NotFetched:
    reason: Reason
    detail: str  # for logs: never the URL, never a byte of the body


def media_type(content_type: str | None) -> str:
    """``image/jpeg; charset=x`` -> ``image/jpeg`` (lower case, aliases resolved)."""
    bare = (content_type or "").split(";")[0].strip().lower()
    return ALIASES.get(bare, bare)


def readable(content_type: str | None) -> bool:
    """A type the assistant reads as a paper: a JPEG, PNG or WebP photo, or a PDF."""
    return media_type(content_type) in ACCEPTED


class MediaFetcher:
    def __init__(self, account_sid: str | None, auth_token: str | None,
                 base_url: str | None = None, media_hosts: list[str] | tuple[str, ...] = (),
                 max_bytes: int = MAX_BYTES, deadline: float = DEADLINE_S,
                 transport: httpx.BaseTransport | None = None,
                 resolve: Resolver | None = None) -> None:
        self._auth = (account_sid, auth_token) if account_sid and auth_token else None
        self._base = httpx.URL((base_url or TWILIO_API).rstrip("/"))
        self._hosts = {h.strip().lower() for h in media_hosts if h.strip()}
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._transport = transport
        self._resolve = resolve or _resolve
        self._base_public: bool | None = None  # resolved at the first redirect

    def under_base(self, url: httpx.URL) -> bool:
        """``url`` lies under the Twilio API base: where our credentials may go."""
        base = self._base
        if not _plain(url) or (url.scheme, url.host, _port(url)) != (
                base.scheme, base.host, _port(base)):
            return False
        prefix = base.path.rstrip("/")
        return url.path == prefix or url.path.startswith(prefix + "/")

    def _media_store(self, url: httpx.URL) -> bool:
        """A redirect target: a configured media host, with the base's scheme."""
        if not _plain(url) or url.scheme != self._base.scheme:
            return False
        host = url.host.lower()
        return host in self._hosts or f"{host}:{_port(url)}" in self._hosts

    def redirect_allowed(self, url: httpx.URL) -> bool:
        """A redirect may go to ``url``: back under the base, or to a media host whose
        addresses are all public (any address when the base itself is not public)."""
        if self.under_base(url):
            return True
        if not self._media_store(url):
            return False
        if self._base_public is None:
            base = self._resolve(self._base.host)
            if not base:  # not known now: strict, and asked again next time
                return _public(self._resolve(url.host))
            self._base_public = _public(base)
        return not self._base_public or _public(self._resolve(url.host))

    def fetch(self, url: str) -> Fetched | NotFetched:
        """The media at ``url``, or why it was not fetched (never raises)."""
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            return NotFetched("not_twilio", "not a URL")
        if not self.under_base(target):
            log.warning("a media URL outside the Twilio API was not fetched")
            return NotFetched("not_twilio", "outside the Twilio API base")
        started = time.monotonic()
        _downloading.active = True
        try:
            with httpx.Client(timeout=TIMEOUT, follow_redirects=False,
                              transport=self._transport) as client:
                return self._follow(client, target, started)
        except httpx.HTTPError as exc:
            return NotFetched("network", type(exc).__name__)
        finally:
            _downloading.active = False

    def _follow(self, client: httpx.Client, url: httpx.URL, started: float
                ) -> Fetched | NotFetched:
        for _hop in range(MAX_REDIRECTS + 1):
            ours = self.under_base(url)
            auth = self._auth if ours else None
            with client.stream("GET", url, auth=auth) as response:
                if response.is_redirect:
                    location = response.headers.get("location", "")
                    try:
                        url = url.join(location)
                    except (httpx.InvalidURL, ValueError):
                        return NotFetched("redirect_refused", "a redirect without a URL")
                    if not self.redirect_allowed(url):
                        log.warning("a media redirect to a host that is not Twilio's, or to "
                                    "a private address, was not followed")
                        return NotFetched("redirect_refused", "redirect to another host")
                    continue
                return self._body(response, started)
        return NotFetched("redirect_refused", f"more than {MAX_REDIRECTS} redirects")

    def _body(self, response: httpx.Response, started: float) -> Fetched | NotFetched:
        if response.status_code != 200:
            return NotFetched("http_error", f"HTTP {response.status_code}")
        declared = media_type(response.headers.get("content-type"))
        if declared not in ACCEPTED and declared not in GENERIC_TYPES:
            return NotFetched("unsupported_type", f"served as {declared}")
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self._max_bytes:
            return NotFetched("too_large", f"{length} bytes announced")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                return NotFetched("too_large", f"more than {self._max_bytes} bytes")
            if time.monotonic() - started > self._deadline:
                return NotFetched("network", f"slower than {self._deadline:g} s")
            chunks.append(chunk)
        return Fetched(b"".join(chunks), declared)


def _plain(url: httpx.URL) -> bool:
    """An absolute http(s) URL without credentials or dot segments."""
    if url.scheme not in ("http", "https") or not url.host or url.userinfo:
        return False
    raw = url.raw_path.decode("ascii", "replace").split("?")[0].lower()
    segments = raw.replace("%2e", ".").replace("%2f", "/").split("/")
    return not any(s in (".", "..") for s in segments)


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _resolve(host: str) -> list[str]:
    """The addresses ``host`` resolves to (itself when it is an address); none on failure."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


def _public(addresses: list[str]) -> bool:
    """Every address is a public one (and there is at least one)."""
    try:
        return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_global
                                       for a in addresses)
    except ValueError:
        return False
