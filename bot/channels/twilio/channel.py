"""The Twilio channel assembled from settings: store, sender, conversation, worker.

Built once in the web app's lifespan. When the database cannot be opened the
channel still answers every webhook, with the general contacts (``fallback``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from bot.advisor.strings import Strings, load_strings
from bot.channels.commands import load_commands
from bot.channels.twilio.contacts import ContactBook
from bot.channels.twilio.sender import MessageSender, TwilioSender
from bot.channels.twilio.service import Answerer, Conversation, Fallback
from bot.channels.twilio.worker import OutboxWorker
from bot.config import Settings
from bot.knowledge.models import Referral
from bot.runtime import prompts_dir
from bot.store import Conversations, Database, Outbox
from bot.store.identity import Identity

log = logging.getLogger(__name__)


def make_sender(settings: Settings) -> MessageSender | None:
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        return None
    return TwilioSender(settings.twilio_account_sid, settings.twilio_auth_token,
                        base_url=settings.twilio_api_base_url)


class TwilioChannel:
    def __init__(
        self,
        settings: Settings,
        answerer: Callable[[], Answerer | None],
        referrals: Callable[[], Mapping[str, Referral] | None],
        strings: Callable[[], Strings | None],
        sender: MessageSender | None = None,
        db: Database | None = None,
    ) -> None:
        prompts = prompts_dir(settings)
        default_strings = prompts / "strings"

        def current_strings() -> Strings:
            return strings() or load_strings(default_strings)

        self.settings = settings
        self.commands = load_commands(prompts)
        self.fallback = Fallback(
            self.commands, ContactBook(referrals, settings.knowledge_dir), current_strings
        )
        self.conversation: Conversation | None = None
        self.worker: OutboxWorker | None = None
        self.db: Database | None = None
        self._owns_db = db is None
        try:
            self.db = db or Database(settings.database)
        except Exception as exc:  # noqa: BLE001 - webhooks are still answered, with contacts
            log.error("the conversation store cannot be opened: %s", type(exc).__name__)
            return
        sender = sender or make_sender(settings)
        identity = Identity(settings.sender_hash_key)
        store, outbox = Conversations(self.db), Outbox(self.db)
        self.conversation = Conversation(settings, store, outbox, identity, self.commands,
                                         self.fallback, answerer, sender)
        self.worker = OutboxWorker(
            self.conversation, store, outbox, identity, sender, answerer,
            max_attempts=settings.outbox_max_attempts, backoff=settings.outbox_backoff,
            poll_interval=settings.outbox_poll_interval,
        )
        self.conversation.wake = self.worker.wake

    def start(self) -> None:
        if self.worker is not None:
            self.worker.start()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        if self.conversation is not None:
            self.conversation.close()
        if self.db is not None and self._owns_db:
            self.db.close()
