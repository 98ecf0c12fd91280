"""`make load`: two replicas on one PostgreSQL and one Chroma server under signed webhooks,
one killed mid-run.

    .venv/bin/python -m bench.load.run [--seconds 120 | --long] [--rate 50] [--pace 1]
                                       [--duplicates 0.05] [--no-kill] [--json]

On loopback only: a throw-away PostgreSQL cluster (Debian's binaries, as the tests
start it), one ``chroma run`` (``tests/chroma_process.py``), a Twilio-like API
(``tests/channels/twilio_fake.py``) and two ``bot serve`` replicas. The starter
knowledge is ingested once, as an operator's ingest job would be: ``bot ingest``
with the shared database and the Chroma server, which puts the generation's vectors
on the server and its pointer and snapshot in the database. Its data folder
(``bench/.cache/load/ingest/``) keeps only the embedding cache, so a later run
embeds nothing again. Each replica then starts with an empty data folder of its
own and serves that generation at once (``/readyz`` names it), embedding no passage.

Locust (``bench/load/locustfile.py``) sends WhatsApp webhooks at ``--rate``
messages a second for ``--seconds`` (``--long``: 10 minutes), some delivered to
both replicas at once. At 40% of the run replica B is killed (SIGKILL) and at 55%
started again; meanwhile deliveries to it go to replica A. After the run the
outbox is given time to drain (a dead replica's leases run out), then
``bench/load/tally.py`` reports webhook ack p50/p99 and the replies delivered,
lost and duplicated. Each replica runs its model on one thread
(``OMP_NUM_THREADS=1``): two replicas share this machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
from tests.chroma_process import ChromaProcess
from tests.databases import PostgresCluster

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "bench" / ".cache" / "load"
PUBLIC = "https://bot.example.org"
DRAIN_S = 120.0  # a killed replica's leases (BOT_LEASE_SECONDS, 30 s) run out well within


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _env(data_dir: Path, database_url: str, chroma_url: str, api_base: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(OFFLINE)
    env.update(
        OMP_NUM_THREADS="1", BOT_DATA_DIR=str(data_dir), BOT_KNOWLEDGE_DIR=str(ROOT / "knowledge"),
        BOT_EMBEDDER="e5", BOT_DATABASE_URL=database_url, BOT_CHROMA_URL=chroma_url,
        BOT_PUBLIC_BASE_URL=PUBLIC,
        BOT_TWILIO_ACCOUNT_SID=ACCOUNT_SID, BOT_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        BOT_TWILIO_API_BASE_URL=api_base, BOT_SENDER_HASH_KEY="load-test-key-" + "x" * 32,
        BOT_RATE_LIMIT_PER_MINUTE="1000", BOT_RATE_LIMIT_PER_DAY="100000",
    )
    return env


_GENERATION = re.compile(r"^index generation (\S+)$", re.MULTILINE)


def publish(database_url: str, chroma_url: str, knowledge: Path = ROOT / "knowledge",
            data: Path = CACHE / "ingest") -> dict[str, Any]:
    """``bot ingest`` once, as the deployment's ingest job: the generation it published
    in the shared database and on the Chroma server, and how long that took. ``data``:
    the job's own folder, which keeps only the embedding cache (later runs reuse it)."""
    data.mkdir(parents=True, exist_ok=True)
    env = _env(data, database_url, chroma_url, "http://127.0.0.1:9")
    env.pop("OMP_NUM_THREADS")  # the replicas are not up yet: both cores are the job's
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bot", "ingest", "--quiet", "--knowledge",
                           str(knowledge)], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=False)
    seconds = time.monotonic() - started
    found = _GENERATION.search(done.stdout)
    if done.returncode != 0 or found is None:
        raise ServerFailed(f"bot ingest failed ({done.returncode}): {done.stdout}{done.stderr}")
    summary = next((line for line in done.stdout.splitlines() if " passages from " in line), "")
    return {"generation": found.group(1), "ingest_s": round(seconds, 1), "summary": summary}


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

    def serving(self) -> str:
        """The generation ``/readyz`` says this replica serves, or why it serves none."""
        try:
            r = httpx.get(self.base + "/readyz", timeout=10)
        except httpx.TransportError as exc:
            return f"nothing ({type(exc).__name__})"
        body = r.json()
        return str(body.get("index") or body.get("detail"))

    def local_index(self) -> bool:
        """Whether the replica keeps an index of its own (it should not: the shared one)."""
        return (self.data / "index").exists()

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


def run(seconds: float, rate: int, duplicates: float, kill: bool,
        pace: float = 1.0) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bot-load-"))
    cluster = PostgresCluster().start()
    chroma = ChromaProcess(work / "chroma")
    fake = FakeTwilio().start()
    replicas: list[Replica] = []
    try:
        chroma.start()
        url = cluster.create()
        log(f"ingesting once into the shared database and the Chroma server at {chroma.url}")
        published = publish(url, chroma.url)
        log(f"published {published['generation']} in {published['ingest_s']:.0f} s")
        for name in ("a", "b"):
            data = work / f"data-{name}"
            data.mkdir()  # empty: the replica reads the index from the shared places
            replicas.append(Replica(name, data, _env(data, url, chroma.url, fake.base_url), work))
        for r in replicas:
            r.start()
        ready = [r.wait_ready() for r in replicas]
        serving = [r.serving() for r in replicas]
        own = [r.name for r in replicas if r.local_index()]
        log(f"both replicas ready ({ready[0]:.0f} s, {ready[1]:.0f} s) serving {serving}; "
            f"{rate} messages a second for {seconds:.0f} s")
        if set(serving) != {published["generation"]} or own:
            raise ServerFailed(f"the replicas serve {serving} (replicas with an index of their "
                               f"own: {own}), not the published {published['generation']}")
        events: list[str] = []
        chaos = threading.Thread(target=_chaos, args=(replicas[1], seconds, events), daemon=True)
        deliveries = work / "deliveries.jsonl"
        env = {**os.environ, "LOAD_TARGETS": ",".join(r.base for r in replicas),
               "LOAD_PUBLIC": PUBLIC, "LOAD_TOKEN": AUTH_TOKEN, "LOAD_ACCOUNT": ACCOUNT_SID,
               "LOAD_LOG": str(deliveries), "LOAD_DUPLICATES": str(duplicates),
               "LOAD_RUN": str(int(time.time()) % 100), "LOAD_PACE": str(pace)}
        locust = Path(sys.executable).with_name("locust")
        started = time.monotonic()
        if kill:
            chaos.start()
        subprocess.run([str(locust), "-f", str(ROOT / "bench" / "load" / "locustfile.py"),
                        "--headless", "--users", str(round(rate * pace)), "--spawn-rate",
                        str(rate),
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
        restarted = replicas[1].serving() if kill else serving[1]
        return {"states": _states(url, result.lost_examples + result.duplicated_examples),
                **published, "ready_s": [round(x) for x in ready],
                "serving": [serving[0], restarted], "seconds": round(elapsed), "rate": rate,
                "pace": pace, "duplicates": duplicates,
                "events": events, "unfinished_after_drain": left, **result.as_dict(),
                "work": str(work)}
    finally:
        for r in replicas:
            r.stop()
        fake.stop()
        chroma.stop()
        cluster.stop()


def report(r: dict[str, Any]) -> str:
    lines = [
        f"two replicas, one PostgreSQL, one Chroma server (chroma run), {r['rate']} messages/s "
        f"asked for {r['seconds']} s ({r['rate'] * r['pace']:.0f} Locust users, one message "
        f"every {r['pace']:g} s each; {r['duplicates']:.0%} delivered to both replicas at once)",
        f"index               {r['generation']}, ingested once in {r['ingest_s']:.0f} s "
        f"({r['summary'].split('; ')[-1]})",
        f"replicas            empty data folders, ready in {r['ready_s'][0]} s and "
        f"{r['ready_s'][1]} s, serving {' and '.join(r['serving'])} (b after its restart)",
        *[f"  {e}" for e in r["events"]],
        f"messages sent       {r['messages']}, {r['messages'] / max(r['seconds'], 1):.1f} a "
        f"second reached  (deliveries {r['deliveries']}, "
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
    parser.add_argument("--pace", type=float, default=1.0,
                        help="seconds between one Locust user's messages; rate x pace users "
                        "keep the rate while an ack takes up to pace seconds")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        result = run(600.0 if args.long else args.seconds, args.rate, args.duplicates,
                     not args.no_kill, args.pace)
    except ServerFailed as exc:
        log(str(exc))
        return 1
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "results.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
