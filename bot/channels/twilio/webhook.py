"""An inbound Twilio webhook as the project's own value, and the TwiML that answers it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape

from bot.channels.twilio.media import Media

ChannelName = Literal["whatsapp", "sms"]
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
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
