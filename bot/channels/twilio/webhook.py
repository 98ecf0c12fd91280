"""An inbound Twilio webhook as the project's own value, and the TwiML that answers it.

Twilio's signature is an HMAC over the URL and every parameter's name and value
run together without separators, so a captured request can be re-cut: the
signature of ``MessageSid=SMx&NumMedia=0`` also holds for ``MessageSid=SMxNumMedia0``.
``refusal`` closes that replay: a message id must look exactly like Twilio's
(``SM`` or ``MM`` and 32 hexadecimal digits), so every re-cut either keeps the
original id (and the store's dedupe answers it) or is refused; and a message for
another Twilio account than the configured one is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape

from bot.channels.twilio.media import Media

ChannelName = Literal["whatsapp", "sms"]
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-f]{32}")
ADDRESS = re.compile(r"(whatsapp:)?\+?[0-9]{2,20}")
MAX_MEDIA = 10  # Twilio sends at most ten attachments with a message


@dataclass(frozen=True)
class Inbound:
    """What we use of a webhook. ``ProfileName`` is deliberately dropped; the media URLs are
    kept in memory only, for the photo reader (``photos.py``), and never stored."""

    sid: str
    account_sid: str
    from_: str  # the user's address: never logged, never stored in the clear
    to: str  # our Twilio number
    body: str
    num_media: int
    channel: ChannelName
    media: tuple[Media, ...] = ()  # MediaUrl0.. with MediaContentType0..
    # time.monotonic() when the webhook arrived (None: when handling starts). Under load a
    # request waits for a worker thread; Twilio's 15 s run from its arrival, not from then.
    received: float | None = None


def refusal(form: Mapping[str, str], account_sid: str | None) -> str | None:
    """Why a signed webhook is not a message of ours, or None.

    Checked before anything is stored: a well-formed message id (and the same one in
    both fields when Twilio sends both), an address as Twilio writes it, and the
    configured account (when one is configured)."""
    sids = {form[name] for name in ("MessageSid", "SmsMessageSid") if name in form}
    if len(sids) != 1 or not MESSAGE_SID.fullmatch(next(iter(sids))):
        return "malformed MessageSid"
    if not ADDRESS.fullmatch(form.get("From", "")):
        return "malformed From"
    if account_sid and form.get("AccountSid") != account_sid:
        return "AccountSid is not the configured account"
    return None


def parse_inbound(form: Mapping[str, str], channel: ChannelName) -> Inbound | None:
    """None when the request lacks what every Twilio message carries."""
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    sender = form.get("From", "")
    if not sid or not sender:
        return None
    try:
        num_media = int(form.get("NumMedia", "0") or 0)
    except ValueError:
        num_media = 0
    return Inbound(
        sid=sid[:64],
        account_sid=form.get("AccountSid", ""),
        from_=sender,
        to=form.get("To", ""),
        body=form.get("Body", ""),
        num_media=max(num_media, 0),
        channel=channel,
        media=tuple(
            Media(form[f"MediaUrl{i}"], form.get(f"MediaContentType{i}", ""))
            for i in range(min(max(num_media, 0), MAX_MEDIA)) if form.get(f"MediaUrl{i}")
        ),
    )


def twiml(*bodies: str) -> str:
    """A MessagingResponse with one ``<Message>`` per body (none: an empty response)."""
    if not bodies:
        return EMPTY_TWIML
    messages = "".join(f"<Message>{_xml_text(b)}</Message>" for b in bodies)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{messages}</Response>'


def _xml_text(text: str) -> str:
    # Characters XML 1.0 forbids would make the whole response invalid.
    clean = "".join(
        ch for ch in text
        if ch in "\t\n\r" or (0x20 <= ord(ch) <= 0xD7FF) or (0xE000 <= ord(ch) <= 0xFFFD)
        or ord(ch) >= 0x10000
    )
    return escape(clean)
