"""The Twilio channel assembled once from the app's context: inbound handling and delivery.

    webhook -> InboundHandler.handle -> bodies for the TwiML
                 |-- Dialogue (commands, the welcome menu, contacts, first contact)
                 |-- Turns (fragments, greetings, menu choices, follow-ups; pace.py)
                 |-- Answering (ask, record, flag, render once)
                 '-- Delivery (outbox, caseworkers' replies, erasure) <- OutboxWorker

When the database cannot be opened the channel still answers every webhook,
with an apology and the general contacts (``fallback_reply``).
"""

from __future__ import annotations

from bot.channels.context import ChannelContext
from bot.channels.twilio.answering import Answering
from bot.channels.twilio.delivery import Delivery
from bot.channels.twilio.dialogue import Dialogue
from bot.channels.twilio.fallback import fallback_reply
from bot.channels.twilio.inbound import InboundHandler
from bot.channels.twilio.more import Continuation
from bot.channels.twilio.sender import MessageSender, TwilioSender
from bot.channels.twilio.webhook import Inbound
from bot.channels.twilio.worker import OutboxWorker
from bot.config import Settings
from bot.store import Conversations, Outbox
from bot.store.identity import Identity
from bot.store.records import Records


def make_sender(settings: Settings) -> MessageSender | None:
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        return None
    return TwilioSender(settings.twilio_account_sid, settings.twilio_auth_token,
                        base_url=settings.twilio_api_base_url)


class TwilioChannel:
    def __init__(self, ctx: ChannelContext, sender: MessageSender | None = None) -> None:
        self.ctx = ctx
        self.inbound: InboundHandler | None = None
        self.delivery: Delivery | None = None
        self.worker: OutboxWorker | None = None
        if ctx.database is None:
            return
        settings = ctx.settings
        store, outbox = Conversations(ctx.database), Outbox(ctx.database)
        records = Records(ctx.database)
        identity = Identity(settings.sender_hash_key)
        answering = Answering(ctx, store, records)
        self.delivery = Delivery(
            store, outbox, records, identity, sender or make_sender(settings), answering,
            max_attempts=settings.outbox_max_attempts, backoff=settings.outbox_backoff,
        )
        dialogue = Dialogue(ctx, store, self.delivery, Continuation(ctx, store))
        self.inbound = InboundHandler(ctx, store, identity, dialogue, answering,
                                      self.delivery)
        self.worker = OutboxWorker(self.delivery, ctx.runtime,
                                   poll_interval=settings.outbox_poll_interval)
        self.delivery.wake = self.worker.wake

    def handle(self, msg: Inbound) -> list[str]:
        """The bodies to answer a webhook with (possibly none). Never raises."""
        if self.inbound is None:
            return fallback_reply(self.ctx, msg.channel, None)
        return self.inbound.handle(msg)

    def start(self) -> None:
        if self.worker is not None:
            self.worker.start()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        if self.inbound is not None:
            self.inbound.close()
