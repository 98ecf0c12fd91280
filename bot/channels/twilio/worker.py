"""The outbox worker: one thread that answers waiting messages and sends queued replies.

What a dead process left half done (messages being answered, replies being
sent) is taken back: at start when this service alone uses the database (a
guarded SQLite file), otherwise when its lease runs out, by whichever replica
looks first. A second thread renews this process's leases while it lives, so a
long answer or a slow send is never taken over by a living replica. Each part
is one ``Delivery.send`` attempt: a network error, a 429 or a 5xx is retried
with exponential backoff; an opted-out number (21610), a closed WhatsApp
window (63016) or any other refusal is recorded and not retried. A conversation
opted out with STOP gets nothing more.
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
        self._leases: threading.Thread | None = None
        self._warned_no_sender = False

    def start(self) -> None:
        if self.delivery.outbox.db.exclusive:
            self.delivery.store.reset_orphans()
            self.delivery.outbox.reset_orphans()
        self._thread = threading.Thread(target=self._run, name="twilio-outbox", daemon=True)
        self._thread.start()
        self._leases = threading.Thread(target=self._renew, name="twilio-leases", daemon=True)
        self._leases.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in (self._thread, self._leases):
            if thread is not None:
                thread.join(timeout)

    def _renew(self) -> None:
        """Every third of a lease: this process is alive, its leases last longer."""
        every = self.delivery.outbox.lease.total_seconds() / 3
        while not self._stop.wait(every):
            try:
                self.delivery.store.renew()
                self.delivery.outbox.renew()
            except Exception as exc:  # noqa: BLE001 - try again next time
                log.warning("leases could not be renewed: %s", type(exc).__name__)

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
