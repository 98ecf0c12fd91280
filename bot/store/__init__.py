"""The conversation store: hashed senders, redacted messages, the outbox, escalations.

Nothing here knows about Twilio or HTTP; the Twilio channel and `bot purge` use it.
"""

from bot.store.conversations import Conversations, InboundRow, SenderPrefs
from bot.store.db import Database
from bot.store.outbox import Outbox, OutboxItem

__all__ = [
    "Conversations",
    "Database",
    "InboundRow",
    "Outbox",
    "OutboxItem",
    "SenderPrefs",
]
