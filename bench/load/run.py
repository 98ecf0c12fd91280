"""`make load`: two replicas on one PostgreSQL under signed webhooks, one killed mid-run.

    .venv/bin/python -m bench.load.run [--seconds 120 | --long] [--rate 50]
                                       [--duplicates 0.05] [--no-kill] [--json]

On loopback only: a throw-away PostgreSQL cluster (Debian's binaries, as the tests
start it), a Twilio-like API (``tests/channels/twilio_fake.py``), two ``bot serve``
replicas on that database, each with a copy of one published index (built once under
``bench/.cache/load/``), and Locust (``bench/load/locustfile.py``) sending WhatsApp
webhooks at ``--rate`` messages a second for ``--seconds`` (``--long``: 10 minutes),
some delivered to both replicas at once. At 40% of the run replica B is killed
(SIGKILL) and at 55% started again; meanwhile deliveries to it go to replica A.
After the run the outbox is given time to drain (a dead replica's leases run out),
then ``bench/load/tally.py`` reports webhook ack p50/p99 and the replies delivered,
lost and duplicated. Each replica runs its model on one thread (``OMP_NUM_THREADS=1``):
two replicas share this machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from bench.load.tally import Tally, read_log, tally
from bench.server import OFFLINE, ServerFailed, _stop, _wait_ready, free_port
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.databases import PostgresCluster

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "bench" / ".cache" / "load"
PUBLIC = "https://bot.example.org"
DRAIN_S = 120.0  # a killed replica's leases (BOT_LEASE_SECONDS, 30 s) run out well within


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _env(data_dir: Path, database_url: str, api_base: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(OFFLINE)
    env.update(
        OMP_NUM_THREADS="1", BOT_DATA_DIR=str(data_dir), BOT_KNOWLEDGE_DIR=str(ROOT / "knowledge"),
        BOT_EMBEDDER="e5", BOT_DATABASE_URL=database_url, BOT_PUBLIC_BASE_URL=PUBLIC,
        BOT_TWILIO_ACCOUNT_SID=ACCOUNT_SID, BOT_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        BOT_TWILIO_API_BASE_URL=api_base, BOT_SENDER_HASH_KEY="load-test-key-" + "x" * 32,
        BOT_RATE_LIMIT_PER_MINUTE="1000", BOT_RATE_LIMIT_PER_DAY="100000",
    )
    return env


def published_index() -> Path:
    """The starter knowledge's index, built once (``bot ingest``) and reused by later runs."""
    data = CACHE / "data"
    if (data / "index" / "CURRENT").exists():
        return data
    log("building the index once (bot ingest)")
    data.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(OFFLINE, BOT_DATA_DIR=str(data), BOT_KNOWLEDGE_DIR=str(ROOT / "knowledge"),
               BOT_EMBEDDER="e5")
    subprocess.run([sys.executable, "-m", "bot", "ingest"], env=env, cwd=ROOT, check=True,
                   stdout=sys.stderr)
    return data


class Replica:
    def __init__(self, name: str, data: Path, env: dict[str, str], work: Path) -> None:
        self.name, self.data, self.env, self.work = name, data, env, work
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        out = (self.work / f"{self.name}-{self.starts}.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port",
             str(self.port)], env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self) -> float:
        assert self.proc is not None
        with httpx.Client(base_url=self.base) as client:
            return _wait_ready(self.proc, client, self.work / f"{self.name}-{self.starts}.log")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # SIGKILL: no shutdown, leases left behind
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)


def _unfinished(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(
                "SELECT (SELECT count(*) FROM messages WHERE status IN ('received', 'answering'))"
                " + (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending'))"
            )).scalar() or 0)
    finally:
        engine.dispose()


def _states(url: str, sids: list[str]) -> dict[str, str]:
    """What the database says of the messages reported lost or duplicated."""
    if not sids:
        return {}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT sid, status, coalesce(leased_by, '') FROM messages"
                                     " WHERE sid = ANY(:s)"), {"s": sids}).all()
    finally:
        engine.dispose()
    return {sid: f"{status} {owner}".strip() for sid, status, owner in rows}


def _chaos(b: Replica, seconds: float, events: list[str]) -> None:
    time.sleep(seconds * 0.40)
    b.kill()
    events.append(f"replica b killed (SIGKILL) at {seconds * 0.40:.0f} s")
    log(events[-1])
    time.sleep(seconds * 0.15)
    b.start()
    events.append(f"replica b started again at {seconds * 0.55:.0f} s")
    log(events[-1])


def run(seconds: float, rate: int, duplicates: float, kill: bool) -> dict[str, Any]:
    index = published_index()
    work = Path(tempfile.mkdtemp(prefix="bot-load-"))
    cluster = PostgresCluster().start()
    fake = FakeTwilio().start()
    replicas: list[Replica] = []
    try:
        url = cluster.create()
        for name in ("a", "b"):
            data = work / f"data-{name}"
            shutil.copytree(index, data, symlinks=True)
            replicas.append(Replica(name, data, _env(data, url, fake.base_url), work))
        for r in replicas:
            r.start()
        ready = [r.wait_ready() for r in replicas]
        log(f"both replicas ready ({ready[0]:.0f} s, {ready[1]:.0f} s); "
            f"{rate} messages a second for {seconds:.0f} s")
        events: list[str] = []
        chaos = threading.Thread(target=_chaos, args=(replicas[1], seconds, events), daemon=True)
        deliveries = work / "deliveries.jsonl"
        env = {**os.environ, "LOAD_TARGETS": ",".join(r.base for r in replicas),
               "LOAD_PUBLIC": PUBLIC, "LOAD_TOKEN": AUTH_TOKEN, "LOAD_ACCOUNT": ACCOUNT_SID,
               "LOAD_LOG": str(deliveries), "LOAD_DUPLICATES": str(duplicates),
               "LOAD_RUN": str(int(time.time()) % 100)}
        locust = Path(sys.executable).with_name("locust")
        started = time.monotonic()
        if kill:
            chaos.start()
        subprocess.run([str(locust), "-f", str(ROOT / "bench" / "load" / "locustfile.py"),
                        "--headless", "--users", str(rate), "--spawn-rate", str(rate),
                        "--run-time", f"{int(seconds)}s", "--stop-timeout", "20",
                        "--only-summary", "--loglevel", "WARNING", "--csv",
                        str(work / "locust")], env=env, cwd=ROOT, check=False,
                       stdout=(work / "locust.log").open("wb"), stderr=subprocess.STDOUT)
        elapsed = time.monotonic() - started
        if kill:
            chaos.join()
        log("the run is over; waiting for the outbox to drain")
        deadline = time.monotonic() + DRAIN_S
        while (left := _unfinished(url)) and time.monotonic() < deadline:
            time.sleep(2)
        with fake.lock:
            sent = list(fake.sent)
        with (work / "sent.jsonl").open("w") as f:  # for a closer look at a lost or a duplicate
            for m in sent:
                f.write(json.dumps({"to": m["to"], "body": m["body"],
                                    "created": m.get("date_created")}) + "\n")
        result: Tally = tally(read_log(deliveries), sent)
        return {"states": _states(url, result.lost_examples + result.duplicated_examples),
                "seconds": round(elapsed), "rate": rate, "duplicates": duplicates,
                "events": events, "unfinished_after_drain": left, **result.as_dict(),
                "work": str(work)}
    finally:
        for r in replicas:
            r.stop()
        fake.stop()
        cluster.stop()


def report(r: dict[str, Any]) -> str:
    lines = [
        f"two replicas, one PostgreSQL, {r['rate']} messages/s for {r['seconds']} s "
        f"({r['duplicates']:.0%} delivered to both replicas at once)",
        *[f"  {e}" for e in r["events"]],
        f"messages sent       {r['messages']}  (deliveries {r['deliveries']}, "
        f"duplicate deliveries {r['duplicate_deliveries']}, failed over {r['failed_over']})",
        f"acknowledged (200)  {r['acknowledged']}  (no 200 from either replica: {r['refused']})",
        f"webhook ack         p50 {r['ack_p50_ms']:.0f} ms, p99 {r['ack_p99_ms']:.0f} ms",
        f"replies delivered   {r['answered_inline'] + r['answered_by_outbox']}  "
        f"(inline {r['answered_inline']}, by the outbox {r['answered_by_outbox']})",
        f"lost                {r['lost']}  {r['lost_examples'] or ''}",
        f"duplicated          {r['duplicated']}  {r['duplicated_examples'] or ''}",
        f"still unfinished    {r['unfinished_after_drain']} after {DRAIN_S:.0f} s of draining",
        *[f"  {sid}: {state}" for sid, state in r["states"].items()],
        f"logs                {r['work']}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--long", action="store_true", help="10 minutes")
    parser.add_argument("--rate", type=int, default=50, help="messages a second")
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--no-kill", action="store_true", help="keep replica b alive")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        result = run(600.0 if args.long else args.seconds, args.rate, args.duplicates,
                     not args.no_kill)
    except ServerFailed as exc:
        log(str(exc))
        return 1
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "results.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
