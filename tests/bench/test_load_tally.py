"""`make load`'s verdicts (bench/load/tally.py): a message acknowledged but never answered
is lost; one answered twice (inline twice, inline and sent, or one text sent twice) is
duplicated; the loser of a duplicate delivery answering nothing is neither."""

from __future__ import annotations

import hashlib
from typing import Any

from bench.load.tally import tally


def digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def delivery(sid: str, sender: str, status: int = 200, bodies: int = 1, ms: float = 10.0,
             **extra: Any) -> dict[str, Any]:
    return {"sid": sid, "sender": sender, "status": status, "ms": ms,
            "bodies": [digest(f"inline {sid}")] * bodies, **extra}


def sent(to: str, body: str) -> dict[str, str]:
    return {"to": "whatsapp:" + to, "body": body}


def test_lost_duplicated_and_answered_are_told_apart() -> None:
    deliveries = [
        delivery("SM1", "+71", ms=5),                                   # inline
        delivery("SM2", "+72", bodies=0, ms=20),                        # by the outbox
        delivery("SM3", "+73", bodies=0, dup=True),                     # duplicate pair:
        delivery("SM3", "+73", bodies=1, dup=True),                     # one answers
        delivery("SM4", "+74", bodies=0),                               # lost
        delivery("SM5", "+75", status=0, bodies=0),                     # replica dead,
        delivery("SM5", "+75", bodies=0, attempt=1),                    # failed over: outbox
        delivery("SM6", "+76"),                                         # inline, and the
        delivery("SM9", "+79"),                                         # same text sent;
        delivery("SM10", "+70"),                                        # a second part is
                                                                        # not a duplicate
        delivery("SM7", "+77", bodies=0),                               # one text sent twice
        delivery("SM8", "+78", status=0, bodies=0),                     # never acknowledged
    ]
    outbox = [sent("+72", "a"), sent("+72", "b"), sent("+75", "a"), sent("+76", "inline SM6"),
              sent("+77", "a"), sent("+77", "a"), sent("+70", "part 2")]
    t = tally(deliveries, outbox)
    assert (t.messages, t.acknowledged, t.refused) == (10, 9, 1)
    assert (t.answered_inline, t.answered_by_outbox) == (5, 3)
    assert (t.lost, t.lost_examples) == (1, ["SM4"])
    assert (t.duplicated, t.duplicated_examples) == (2, ["SM6", "SM7"])
    assert (t.duplicate_deliveries, t.failed_over) == (1, 1)
    assert t.ack_p50_ms == 10.0 and t.ack_p99_ms >= 10.0
