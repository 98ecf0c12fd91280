"""DELETE: erase everything about a sender here and at Twilio, and say only what is true.

    erase(address)
      -> count what was still waiting to be sent (queued answers, caseworkers' replies)
      -> delete every row under each of the sender's ids, scrub the database files
      -> at Twilio (when credentials are configured): delete every message to or from
         the number on either channel (``+7...`` and ``whatsapp:+7...``), waiting a few
         seconds for the outcome; a second pass a minute later takes the confirmation
         itself and anything that was still being sent
      -> an ``Erasure``: rows, cancelled replies, and what happened at the provider

The confirmation (``confirmation``) is built from that value in the sender's language
(``prompts/erasure/<lang>.yaml``): it claims deletion at the provider only when it
finished and succeeded. Nothing here logs a number or a body.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Literal

from bot.advisor.strings import Strings
from bot.channels.twilio.sender import Deletion, MessageSender
from bot.store import Conversations, Outbox
from bot.store.identity import WHATSAPP_PREFIX, Identity, bare_address

log = logging.getLogger(__name__)
PROVIDER_WAIT = 5.0  # seconds the webhook waits for Twilio's deletion (it waits 15 in all)
SECOND_PASS = 60.0  # seconds until the confirmation itself is deleted at Twilio
Provider = Literal["deleted", "pending", "failed", "none"]


@dataclass(frozen=True)
class Erasure:
    rows: int  # rows deleted here
    cancelled: int  # replies that were waiting to be sent, now never sent
    provider: Provider  # at Twilio: done, still under way, failed, or not possible


class Eraser:
    def __init__(self, store: Conversations, outbox: Outbox, identity: Identity,
                 sender: MessageSender | None, *, wait: float = PROVIDER_WAIT,
                 second_pass: float = SECOND_PASS) -> None:
        self.store = store
        self.outbox = outbox
        self.identity = identity
        self.sender = sender
        self.wait = wait
        self.second_pass = second_pass

    def erase(self, address: str) -> Erasure:
        ids = self.identity.sender_ids(address)
        cancelled = self.outbox.waiting(*ids) + self.store.unanswered(*ids)
        sids = [sid for i in ids for sid in self.store.inbound_sids(i)]
        sids += self.outbox.sent_sids(*ids)
        rows = self.store.delete_sender(*ids)
        if self.sender is None:
            return Erasure(rows, cancelled, "none")
        return Erasure(rows, cancelled, self._at_provider(self.sender, address, sids))

    def _at_provider(self, remote: MessageSender, address: str, sids: list[str]) -> Provider:
        bare = bare_address(address)
        addresses = [bare, WHATSAPP_PREFIX + bare]
        done = threading.Event()
        outcome: list[Deletion] = []

        def run() -> None:
            outcome.append(_delete(remote, addresses, sids))
            done.set()
            log.info("erasure: %d message(s) deleted at Twilio", outcome[0].deleted)
            time.sleep(self.second_pass)  # then the confirmation and late replies
            _delete(remote, addresses, [])

        # Listing and deleting can take longer than Twilio waits for the webhook.
        threading.Thread(target=run, name="twilio-erase", daemon=True).start()
        if not done.wait(self.wait):
            return "pending"
        return "deleted" if outcome[0].complete else "failed"


def _delete(remote: MessageSender, addresses: list[str], sids: list[str]) -> Deletion:
    try:
        return remote.delete_conversation(addresses, sids)
    except Exception as exc:  # noqa: BLE001 - an outcome, told to the user truthfully
        log.warning("erasure at Twilio failed: %s", type(exc).__name__)
        return Deletion(failed=1, listed=False)


def confirmation(strings: Strings, erasure: Erasure, lang: str | None) -> str:
    """What DELETE answers: only what happened."""
    lines = [strings.get("erased", lang), strings.get(f"provider_{erasure.provider}", lang)]
    if erasure.cancelled:
        lines.append(strings.get("cancelled", lang))
    lines.append(strings.get("phone", lang))
    return " ".join(lines)
