"""POST /twilio/whatsapp and /twilio/sms: Twilio's webhooks.

A request whose signature is missing, empty or wrong gets 403 before anything
is stored or computed; so does a signed one for another Twilio account, and a
signed one whose message id is not Twilio's (a re-cut replay: ``webhook.refusal``)
gets 400. Every other request gets 200 with valid TwiML, even when something
inside fails: Twilio treats anything else as an error and retries.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from bot.app.deps import SettingsDep, TwilioDep
from bot.channels.twilio.channel import TwilioChannel
from bot.channels.twilio.signature import FormParams, is_valid, public_url
from bot.channels.twilio.webhook import ChannelName, parse_inbound, refusal, twiml
from bot.config import Settings

log = logging.getLogger(__name__)
router = APIRouter(prefix="/twilio", tags=["twilio"])
MAX_REQUEST_BYTES = 64 * 1024  # a Twilio webhook is a few kilobytes


def _twiml(*bodies: str) -> Response:
    return Response(twiml(*bodies), media_type="application/xml")


async def _read_limited(request: Request) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _signed(request: Request, settings: Settings, params: FormParams) -> bool:
    if not settings.twilio_validate:  # development only, refused elsewhere by Settings
        return True
    base = settings.public_base_url or str(request.base_url)
    query = request.scope.get("query_string", b"").decode("latin-1")
    url = public_url(base, request.url.path, query)
    return is_valid(settings.twilio_auth_token, url, params,
                    request.headers.get("X-Twilio-Signature"))


async def _webhook(request: Request, channel: ChannelName, settings: Settings,
                   twilio: TwilioChannel) -> Response:
    arrived = time.monotonic()  # Twilio's clock starts now, whatever the queue for threads
    raw = await _read_limited(request)
    if raw is None:
        return PlainTextResponse("request too large", status_code=413)
    params = FormParams(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    if not _signed(request, settings, params):
        log.warning("rejected a %s webhook: missing or invalid X-Twilio-Signature", channel)
        return PlainTextResponse("invalid signature", status_code=403)
    form = params.first()
    refused = refusal(form, settings.twilio_account_sid)
    if refused:  # a re-cut replay of a captured request, or not for our account
        log.warning("refused a signed %s webhook: %s", channel, refused)
        status = 403 if refused.startswith("AccountSid") else 400
        return PlainTextResponse(f"refused: {refused}", status_code=status)
    msg = parse_inbound(form, channel)
    if msg is None:
        log.warning("a signed %s webhook without MessageSid or From", channel)
        return _twiml()
    try:
        response = _twiml(*await run_in_threadpool(twilio.handle,
                                                   replace(msg, received=arrived)))
    except Exception as exc:  # noqa: BLE001 - Twilio must never see a 5xx
        log.error("webhook failed: %s", type(exc).__name__)
        response = _twiml()
    # Runs once the response is written: only then is an inline answer delivered.
    response.background = BackgroundTask(twilio.responded, msg.sid)
    return response


@router.post("/whatsapp", response_class=Response)
async def whatsapp(request: Request, settings: SettingsDep, twilio: TwilioDep) -> Response:
    """Twilio's webhook for WhatsApp messages (form-encoded; signed)."""
    return await _webhook(request, "whatsapp", settings, twilio)


@router.post("/sms", response_class=Response)
async def sms(request: Request, settings: SettingsDep, twilio: TwilioDep) -> Response:
    """Twilio's webhook for SMS messages (form-encoded; signed)."""
    return await _webhook(request, "sms", settings, twilio)
