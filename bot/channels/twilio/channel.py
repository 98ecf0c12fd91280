"""The Twilio channel assembled once from the app's context: inbound handling and delivery.

    webhook -> InboundHandler.handle -> bodies for the TwiML
                 |-- Dialogue (commands, the welcome menu, contacts, first contact)
                 |-- Turns (fragments, greetings, menu choices, follow-ups; pace.py)
                 |-- Answering (ask, record, flag, render once)
                 |-- Photos (a photo of a paper: fetched, read, answered off the webhook)
                 '-- Delivery (outbox, caseworkers' replies, erasure) <- OutboxWorker

When the database cannot be opened the channel still answers every webhook,
with an apology and the general contacts (``fallback_reply``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.channels.context import ChannelContext
from bot.channels.twilio.answering import Answering
from bot.channels.twilio.delivery import Delivery
from bot.channels.twilio.dialogue import Dialogue
from bot.channels.twilio.fallback import fallback_reply
from bot.channels.twilio.inbound import InboundHandler
from bot.channels.twilio.media import MediaFetcher
from bot.channels.twilio.more import Continuation
from bot.channels.twilio.photos import Photos
from bot.channels.twilio.sender import MessageSender, TwilioSender
from bot.channels.twilio.webhook import Inbound
from bot.channels.twilio.worker import OutboxWorker
from bot.config import Settings
from bot.store import Conversations, Outbox
from bot.store.identity import Identity
from bot.store.records import Records

log = logging.getLogger(__name__)


def make_sender(settings: Settings) -> MessageSender | None:
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        return None
    return TwilioSender(settings.twilio_account_sid, settings.twilio_auth_token,
                        base_url=settings.twilio_api_base_url)


def make_fetcher(settings: Settings) -> MediaFetcher:
    """Media downloads: from under the Twilio API base only, with the account's credentials."""
    return MediaFetcher(settings.twilio_account_sid, settings.twilio_auth_token,
                        base_url=settings.twilio_api_base_url,
                        media_hosts=settings.twilio_media_hosts)


class TwilioChannel:
    def __init__(self, ctx: ChannelContext, sender: MessageSender | None = None) -> None:
        self.ctx = ctx
        self._rekey: tuple[Conversations, Identity] | None = None
        self.inbound: InboundHandler | None = None
        self.delivery: Delivery | None = None
        self.worker: OutboxWorker | None = None
        self.photos: Photos | None = None
        if ctx.database is None:
            return
        settings = ctx.settings
        lease = timedelta(seconds=settings.lease_seconds)
        store, outbox = Conversations(ctx.database, lease), Outbox(ctx.database, lease)
        records = Records(ctx.database)
        identity = Identity(settings.sender_hash_key, settings.sender_hash_key_previous)
        self._rekey = (store, identity) if settings.sender_hash_key_previous else None
        answering = Answering(ctx, store, records)
        self.delivery = Delivery(
            store, outbox, records, identity, sender or make_sender(settings), answering,
            max_attempts=settings.outbox_max_attempts, backoff=settings.outbox_backoff,
        )
        dialogue = Dialogue(ctx, store, self.delivery, Continuation(ctx, store))
        self.photos = Photos(ctx, store, records, self.delivery, make_fetcher(settings))
        self.inbound = InboundHandler(ctx, store, identity, dialogue, answering,
                                      self.delivery, self.photos)
        self.worker = OutboxWorker(self.delivery, ctx.runtime,
                                   poll_interval=settings.outbox_poll_interval)
        self.delivery.wake = self.worker.wake

    def handle(self, msg: Inbound) -> list[str]:
        """The bodies to answer a webhook with (possibly none). Never raises."""
        if self.inbound is None:
            return fallback_reply(self.ctx, msg.channel, None)
        self._move_to_new_key(msg.from_)
        return self.inbound.handle(msg)

    def _move_to_new_key(self, address: str) -> None:
        """During a key rotation: the sender's rows under the old key move to the new one."""
        if self._rekey is None:
            return
        store, identity = self._rekey
        old = identity.previous_id(address)
        try:
            if old:
                store.rekey(old, identity.sender_id(address))
        except Exception as exc:  # noqa: BLE001 - the message is still answered
            log.error("could not move a sender to the new key: %s", type(exc).__name__)

    def responded(self, sid: str) -> None:
        """The web layer wrote the response to ``sid`` (see ``InboundHandler.responded``)."""
        if self.inbound is not None:
            self.inbound.responded(sid)

    def start(self) -> None:
        if self.worker is not None:
            self.worker.start()
        if self.photos is not None:
            self.photos.start()

    def close(self) -> None:
        if self.photos is not None:
            self.photos.close()
        if self.worker is not None:
            self.worker.stop()
        if self.inbound is not None:
            self.inbound.close()
