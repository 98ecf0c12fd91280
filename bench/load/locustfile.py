"""Locust's part of `make load`: signed Twilio webhooks at a steady rate to two replicas.

Each simulated user sends one WhatsApp message every ``LOAD_PACE`` seconds
(``constant_throughput``; default 1), so ``--users 50`` is 50 messages a second as
long as an acknowledgement takes under ``LOAD_PACE`` seconds: a user waits for its
ack, so with slow acks the rate reached is lower (``run.py --pace`` starts
``rate x pace`` users to keep the rate). Every message has a sender of its own
(the rate limit stays out of the way) and a new MessageSid. A share of them
(``LOAD_DUPLICATES``) is delivered to both replicas at once, as a Twilio retry
racing the first delivery would be. A delivery to a replica that does not answer
(killed) goes to the other one, as a load balancer or Twilio's retry would send
it. One JSON line per delivery goes to ``LOAD_LOG`` for ``bench/load/tally.py``.

Set by ``bench/load/run.py``: LOAD_TARGETS (comma-separated base URLs),
LOAD_PUBLIC (the public URL signatures are computed on), LOAD_TOKEN, LOAD_ACCOUNT,
LOAD_LOG, LOAD_DUPLICATES, LOAD_RUN (a prefix that keeps runs apart), LOAD_PACE.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import gevent
from locust import HttpUser, constant_throughput, task
from twilio.request_validator import RequestValidator

TARGETS = os.environ.get("LOAD_TARGETS", "http://127.0.0.1:8000").split(",")
PUBLIC = os.environ.get("LOAD_PUBLIC", "https://bot.example.org")
TOKEN = os.environ.get("LOAD_TOKEN", "")
ACCOUNT = os.environ.get("LOAD_ACCOUNT", "AC" + "1" * 32)
DUPLICATES = float(os.environ.get("LOAD_DUPLICATES", "0.05"))
RUN = int(os.environ.get("LOAD_RUN", "1"))
PACE = float(os.environ.get("LOAD_PACE", "1"))
OUR_NUMBER = "+15005550006"
PATH = "/twilio/whatsapp"
QUESTIONS = [
    "They took my passport at work, what can I do?",
    "My employer does not pay my salary for three months",
    "Someone offers me a contract with the army, is it safe?",
    "Mon employeur a pris mon passeport",
    "Me quitaron el pasaporte en el trabajo",
    "У меня забрали паспорт на работе",
    "My student visa expires next month, what happens?",
    "Police stopped me and asked me to sign a document in Russian",
]

_numbers = itertools.count(1)
_log_lock = threading.Lock()
_log = open(os.environ.get("LOAD_LOG", "load.jsonl"), "a", encoding="utf-8")  # noqa: SIM115
_validator = RequestValidator(TOKEN)


def _record(entry: dict[str, Any]) -> None:
    with _log_lock:
        _log.write(json.dumps(entry) + "\n")
        _log.flush()


def _form(n: int) -> tuple[str, dict[str, str]]:
    sender = f"+7{RUN % 100:02d}{n:08d}"
    sid = "SM" + uuid.uuid4().hex
    form = {
        "MessageSid": sid, "AccountSid": ACCOUNT, "From": "whatsapp:" + sender,
        "To": "whatsapp:" + OUR_NUMBER, "Body": random.choice(QUESTIONS), "NumMedia": "0",
        "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01",
        "WaId": sender.lstrip("+"), "ProfileName": "Load Test",
    }
    return sender, form


def _bodies(xml: str) -> list[str]:
    """Short digests of the inline replies (the tally compares them with what was sent)."""
    try:
        found = ET.fromstring(xml).findall("Message")
    except ET.ParseError:
        return ["<not TwiML>"]
    return [hashlib.sha1((m.text or "").encode()).hexdigest()[:16] for m in found]


class Sender(HttpUser):
    wait_time = constant_throughput(1 / PACE)
    host = TARGETS[0]

    def _deliver(self, first: int, sender: str, form: dict[str, str], dup: bool) -> None:
        headers = {"X-Twilio-Signature": _validator.compute_signature(PUBLIC + PATH, form)}
        for attempt in range(len(TARGETS)):
            target = TARGETS[(first + attempt) % len(TARGETS)]
            started = time.perf_counter()
            try:
                with self.client.post(target + PATH, data=form, headers=headers,
                                      name=PATH, timeout=15, catch_response=True) as r:
                    ms = (time.perf_counter() - started) * 1000
                    if r.status_code == 200:
                        r.success()
                        _record({"sid": form["MessageSid"], "sender": sender, "target": target,
                                 "status": 200, "ms": ms, "bodies": _bodies(r.text),
                                 "dup": dup, "attempt": attempt, "at": time.time()})
                        return
                    r.failure(f"HTTP {r.status_code}")
                    _record({"sid": form["MessageSid"], "sender": sender, "target": target,
                             "status": r.status_code, "ms": ms, "dup": dup,
                             "attempt": attempt, "at": time.time()})
            except Exception as exc:  # noqa: BLE001 - a dead replica: try the other one
                _record({"sid": form["MessageSid"], "sender": sender, "target": target,
                         "status": 0, "error": type(exc).__name__, "dup": dup,
                         "attempt": attempt, "at": time.time()})

    @task
    def message(self) -> None:
        n = next(_numbers)
        sender, form = _form(n)
        if random.random() < DUPLICATES:  # the same MessageSid to both replicas at once
            both = [gevent.spawn(self._deliver, i, sender, form, True)
                    for i in range(len(TARGETS))]
            gevent.joinall(both)
        else:
            self._deliver(n % len(TARGETS), sender, form, False)
