"""The database: hashed senders, redacted messages, the outbox, escalations and the
inbox, what the assistant sent and answered (records), the knowledge-gap report, and
the web app's accounts. Opened once per process (``Database``, which migrates it).

Nothing here knows about Twilio or HTTP; the channels, the web app and the
commands (`bot purge`, `bot users`) use it.
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
