"""Sign-in throttling by address, and a failed-sign-in audit trail that cannot be flooded.

An account locks after ``BOT_LOGIN_MAX_FAILURES`` wrong passwords (``Accounts.login``);
this adds a limit per client address, so one address cannot lock every account in
turn or try one password on all of them: past ``BOT_LOGIN_MAX_FAILURES_PER_ADDRESS``
failures within the lockout time it is refused before any password is checked.

Failed sign-ins go to the audit log, but at most ``AUDIT_PER_ADDRESS`` from one
address and ``AUDIT_TOTAL`` in all within that time, then one line saying that more
were not written: made-up names cannot push an administrator's view of the log (the
last 200 entries) out of sight. The typed name is written only when it is an account
(a password typed into the name field must not land in the log).

In memory, for one process; the counts are per address as the server sees it (behind
a proxy, uvicorn takes it from ``X-Forwarded-For`` sent by ``--forwarded-allow-ips``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from bot.store.accounts import Accounts, LoginResult

AUDIT_PER_ADDRESS = 5
AUDIT_TOTAL = 50
MAX_ADDRESSES = 100_000  # forget the oldest rather than grow without end


class SlidingCount:
    """Events per key within a window of seconds."""

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def count(self, key: str) -> int:
        with self._lock:
            return len(self._fresh(key, self._clock()))

    def add(self, key: str) -> int:
        """Count one more event; how many there are now within the window."""
        with self._lock:
            now = self._clock()
            events = self._fresh(key, now)
            events.append(now)
            if len(self._events) > MAX_ADDRESSES:
                self._events.pop(next(iter(self._events)))
            return len(events)

    def _fresh(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and now - events[0] > self.window:
            events.popleft()
        return events


class SignInGuard:
    def __init__(self, max_failures_per_address: int, window_minutes: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        window = window_minutes * 60
        self.max_failures = max_failures_per_address
        self._failures = SlidingCount(window, clock)
        self._audited = SlidingCount(window, clock)

    def blocked(self, address: str) -> bool:
        """True when this address failed too often lately: refuse before any check."""
        return self._failures.count(address) >= self.max_failures

    def failed(self, accounts: Accounts, address: str, name: str, result: LoginResult) -> None:
        """Count a failed sign-in and write it to the audit log unless there were many."""
        self._failures.add(address)
        shown = name[:64] if result.known else "(unknown name)"
        if result.locked_now:
            return  # "locked" is written by Accounts, always
        mine, everyone = self._audited.add(address), self._audited.add("*")
        if mine <= AUDIT_PER_ADDRESS and everyone <= AUDIT_TOTAL:
            accounts.audit(None, "sign-in failed", name=shown, address=address)
        elif mine == AUDIT_PER_ADDRESS + 1 or everyone == AUDIT_TOTAL + 1:
            accounts.audit(None, "sign-in failures", name="(many)", address=address,
                           target="more not logged for now")
