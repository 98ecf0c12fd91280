"""The outbox worker: one thread that answers waiting messages and sends queued replies.

At start it takes back what a dead process left half done (messages being
answered, replies being sent). Each part is one ``Delivery.send`` attempt: a
network error, a 429 or a 5xx is retried with exponential backoff; an
opted-out number (21610), a closed WhatsApp window (63016) or any other
refusal is recorded and not retried. A conversation opted out with STOP gets
nothing more.
"""

from __future__ import annotations

import logging
import threading

from bot.channels.context import RuntimeSource
from bot.channels.twilio.delivery import Delivery

log = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(self, delivery: Delivery, runtime: RuntimeSource, *,
                 poll_interval: float) -> None:
        self.delivery = delivery
        self.runtime = runtime
        self.poll_interval = poll_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._warned_no_sender = False

    def start(self) -> None:
        self.delivery.store.reset_orphans()
        self.delivery.outbox.reset_orphans()
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
        delivery = self.delivery
        runtime = self.runtime.current()
        if runtime is not None:
            for row in delivery.store.waiting_inbound():
                delivery.answer_waiting(row, runtime)
        sender = delivery.sender
        if sender is None:
            if not self._warned_no_sender:
                log.warning("no Twilio credentials: queued replies wait until they are set")
                self._warned_no_sender = True
            return
        for item in delivery.outbox.claim_due():
            if self._stop.is_set():
                delivery.outbox.mark_retry(item.id, "stopping", 0)
                continue
            delivery.send(item, sender)
