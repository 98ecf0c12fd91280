"""What `make load` measured: webhook acknowledgements and replies, lost and duplicated.

Every message has a sender of its own, so a sender's replies are that message's:
the TwiML bodies of the deliveries that answered inline, and the messages the
Twilio-like API was asked to send to that sender (the outbox: late answers and the
ones a replica finished for a killed one; also the later parts of a long reply).
Texts are compared by digest. A message a replica acknowledged (HTTP 200) is *lost*
when it got neither; *duplicated* when two deliveries both answered inline or one
text reached the sender twice.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.timing import percentile


@dataclass
class Tally:
    messages: int = 0
    acknowledged: int = 0
    deliveries: int = 0
    duplicate_deliveries: int = 0  # messages sent to both replicas at once
    failed_over: int = 0  # deliveries that reached the other replica after a failure
    refused: int = 0  # deliveries that got no 200 from any replica
    ack_p50_ms: float = 0.0
    ack_p99_ms: float = 0.0
    answered_inline: int = 0
    answered_by_outbox: int = 0
    lost: int = 0
    duplicated: int = 0
    lost_examples: list[str] = field(default_factory=list)
    duplicated_examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def tally(deliveries: Iterable[dict[str, Any]], sent: Iterable[dict[str, Any]]) -> Tally:
    """``deliveries``: the locustfile's lines; ``sent``: the Twilio-like API's messages."""
    by_sid: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in deliveries:
        by_sid[d["sid"]].append(d)
    outbox: dict[str, list[str]] = defaultdict(list)
    for m in sent:
        digest = hashlib.sha1(str(m["body"]).encode()).hexdigest()[:16]
        outbox[str(m["to"]).removeprefix("whatsapp:")].append(digest)
    t = Tally(messages=len(by_sid))
    acks: list[float] = []
    for sid, tries in by_sid.items():
        t.deliveries += len(tries)
        ok = [d for d in tries if d["status"] == 200]
        acks += [d["ms"] for d in ok]
        t.duplicate_deliveries += any(d.get("dup") for d in tries)
        t.failed_over += sum(1 for d in ok if d.get("attempt", 0) > 0)
        if not ok:
            t.refused += 1
            continue
        t.acknowledged += 1
        sender = tries[0]["sender"]
        answers = [d["bodies"] for d in ok if d.get("bodies")]
        inline = len(answers)
        parts = outbox.get(sender, [])
        texts = [b for answer in answers for b in answer] + parts
        t.answered_inline += inline > 0
        t.answered_by_outbox += inline == 0 and bool(parts)
        if inline == 0 and not parts:
            t.lost += 1
            if len(t.lost_examples) < 5:
                t.lost_examples.append(sid)
        elif inline > 1 or max(Counter(texts).values(), default=1) > 1:
            t.duplicated += 1
            if len(t.duplicated_examples) < 5:
                t.duplicated_examples.append(sid)
    if acks:
        acks.sort()
        t.ack_p50_ms, t.ack_p99_ms = percentile(acks, 0.50), percentile(acks, 0.99)
    return t
