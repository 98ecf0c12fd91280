"""The outbox worker: one thread that answers waiting messages and delivers queued replies.

At start it takes back what a dead process left half done (messages being
answered, replies being sent). Each reply part is sent through the
``MessageSender``; a network error, a 429 or a 5xx is retried with exponential
backoff; an opted-out number (21610), a closed WhatsApp window (63016) or any
other refusal is recorded and not retried. A conversation opted out with STOP
gets nothing more.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from bot.channels.twilio.segments import fit
from bot.channels.twilio.sender import MessageSender
from bot.channels.twilio.service import Answerer, Conversation
from bot.store import Conversations, Outbox, OutboxItem
from bot.store.identity import Identity

log = logging.getLogger(__name__)
MAX_BACKOFF = 600.0


class OutboxWorker:
    def __init__(
        self,
        conversation: Conversation,
        store: Conversations,
        outbox: Outbox,
        identity: Identity,
        sender: MessageSender | None,
        answerer: Callable[[], Answerer | None],
        *,
        max_attempts: int,
        backoff: float,
        poll_interval: float,
    ) -> None:
        self.conversation = conversation
        self.store = store
        self.outbox = outbox
        self.identity = identity
        self.sender = sender
        self.answerer = answerer
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.poll_interval = poll_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._warned_no_sender = False

    def start(self) -> None:
        self.store.reset_orphans()
        self.outbox.reset_orphans()
        self._thread = threading.Thread(target=self._run, name="twilio-outbox", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 - the loop must outlive a bad moment
                log.error("outbox round failed: %s", type(exc).__name__,
                          exc_info=log.isEnabledFor(logging.DEBUG))
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def run_once(self) -> None:
        answerer = self.answerer()
        if answerer is not None:
            for row in self.store.waiting_inbound():
                self.conversation.answer_waiting(row, answerer)
        if self.sender is None:
            if not self._warned_no_sender:
                log.warning("no Twilio credentials: queued replies wait until they are set")
                self._warned_no_sender = True
            return
        for item in self.outbox.claim_due():
            if self._stop.is_set():
                self.outbox.mark_retry(item.id, "stopping", 0)
                continue
            self._deliver(item, self.sender)

    def _deliver(self, item: OutboxItem, sender: MessageSender) -> None:
        if self.store.opted_out(item.sender_id, item.channel):
            self.outbox.mark_failed(item.id, "opted out: not sent")
            return
        to = self.identity.unseal(item.sealed_to) if item.sealed_to else None
        if to is None:
            self.outbox.mark_failed(item.id, "address unavailable")
            return
        result = sender.send(to, item.from_address, fit(item.body))
        if result.outcome == "sent":
            self.outbox.mark_sent(item.id, result.sid)
        elif result.outcome == "failed" or item.attempts + 1 >= self.max_attempts:
            log.warning("a reply was not delivered: %s", result.error)
            self.outbox.mark_failed(item.id, result.error or "failed")
        else:
            delay = min(self.backoff * 2 ** item.attempts, MAX_BACKOFF)
            delay *= random.uniform(0.9, 1.1)
            log.info("a reply will be retried in %.1f s: %s", delay, result.error)
            self.outbox.mark_retry(item.id, result.error or "retry", delay)
