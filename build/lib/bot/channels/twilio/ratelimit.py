"""Per-sender rate limit, checked before any work is done (in memory, one process).

A sender over the limit gets one polite reply per window, then silence: a
flood never costs more than a message. A redelivery of a message already
counted (same MessageSid: Twilio retrying) does not count again; the store's
dedupe answers it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Literal

Verdict = Literal["ok", "limited", "silent"]


class RateLimiter:
    def __init__(self, per_minute: int, per_day: int, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self._windows = ((60.0, per_minute), (86400.0, per_day))
        self._seen: dict[str, deque[tuple[float, str]]] = {}
        self._warned: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def check(self, key: str, message_id: str = "") -> Verdict:
        now = self._clock()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and now - seen[0][0] > self._windows[-1][0]:
                seen.popleft()
            if message_id and any(m == message_id for _, m in seen):
                return "ok"
            for window, limit in self._windows:
                if sum(1 for t, _ in seen if now - t <= window) >= limit:
                    if now - self._warned.get(key, -1e12) <= window:
                        return "silent"
                    self._warned[key] = now
                    return "limited"
            seen.append((now, message_id))
            if len(self._seen) > 100_000:  # forget idle senders rather than grow forever
                self._prune(now)
            return "ok"

    def _prune(self, now: float) -> None:
        day = self._windows[-1][0]
        for key in [k for k, v in self._seen.items() if not v or now - v[-1][0] > day]:
            self._seen.pop(key, None)
            self._warned.pop(key, None)
