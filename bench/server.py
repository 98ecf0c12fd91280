"""`bot serve` as a subprocess, timed over real HTTP on loopback, with its peak memory.

The server is started exactly as an operator would start it, with only the
environment pointing it at the index to serve; it is always stopped, whatever
happens here.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.timing import summarize
from bot.evaluation.questions import EvalQuestion

READY_TIMEOUT_S = 900.0  # startup embeds the example sets of prompts/ (minutes under load)
REQUEST_TIMEOUT_S = 60.0
WARM_UP = 5
OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


class ServerFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(data_dir: Path, knowledge_dir: Path) -> dict[str, str]:
    # The caller's BOT_* settings (a Chroma URL, another model) must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(OFFLINE)
    env.update(
        BOT_DATA_DIR=str(data_dir.resolve()),
        BOT_KNOWLEDGE_DIR=str(knowledge_dir.resolve()),
        BOT_EMBEDDER="e5",
    )
    return env


def memory_mib(pid: int) -> dict[str, float]:
    """VmHWM (peak resident set) and VmRSS of a live process, in MiB."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


BENCH_USER = "bench"
BENCH_PASSWORD = "bench-password-not-secret"


def _add_user(env: dict[str, str]) -> None:
    """The web API needs a signed-in user: create one in the bench's data folder."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "users", "add", BENCH_USER, "--role", "caseworker"],
        env={**env, "BOT_NEW_PASSWORD": BENCH_PASSWORD}, capture_output=True, text=True,
        check=False,
    )
    if done.returncode != 0 and "exists already" not in done.stderr:
        raise ServerFailed(f"could not create the bench user: {done.stderr.strip()}")


def _sign_in(client: httpx.Client) -> None:
    """Sign in through the form; later POSTs carry the session's CSRF token."""
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if found is None:
        raise ServerFailed("the sign-in page has no form token")
    r = client.post("/login", data={"name": BENCH_USER, "password": BENCH_PASSWORD,
                                    "csrf_token": found.group(1)})
    if r.status_code != 303:  # a successful sign-in redirects to the chat page
        raise ServerFailed(f"sign-in as {BENCH_USER} failed: HTTP {r.status_code}")
    me = client.get("/api/session")
    me.raise_for_status()
    client.headers["X-CSRF-Token"] = me.json()["csrf_token"]


def _body(q: EvalQuestion, round_: int = 1) -> dict[str, str]:
    # From the second round on, a suffix makes each message new to the server's
    # query-vector cache, so every request pays for its embedding.
    text = q.question if round_ == 1 else f"{q.question} #{round_}"
    body = {"question": text, "lang": q.lang, "country": q.country}
    return {k: v for k, v in body.items() if v}


def _wait_ready(proc: subprocess.Popen[bytes], client: httpx.Client, log: Path) -> float:
    started = time.monotonic()
    last = "no answer"
    while time.monotonic() - started < READY_TIMEOUT_S:
        if proc.poll() is not None:
            raise ServerFailed(f"bot serve exited with {proc.returncode}; see {log}")
        try:
            response = client.get("/readyz", timeout=5)
            if response.status_code == 200:
                return time.monotonic() - started
            last = f"{response.status_code} {response.text[:500]}"
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.5)
    raise ServerFailed(
        f"bot serve was not ready after {READY_TIMEOUT_S:.0f} s (last /readyz: {last}); "
        f"see {log}"
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def measure(
    data_dir: Path,
    knowledge_dir: Path,
    questions: Sequence[EvalQuestion],
    requests: int,
    budget_s: float,
    log: Path,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """p50/p95/mean of POST /api/ask over ``requests`` sequential requests (or ``budget_s``)."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    env = _environment(data_dir, knowledge_dir)
    _add_user(env)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", timeout=REQUEST_TIMEOUT_S
            ) as client:
                ready_s = _wait_ready(proc, client, log)
                say(f"server pid {proc.pid} ready in {ready_s:.1f} s on port {port}")
                _sign_in(client)
                for i in range(WARM_UP):
                    warm = {"question": f"warm-up {i}: a question not in the set"}
                    client.post("/api/ask", json=warm).raise_for_status()
                after_warm_up = memory_mib(proc.pid)
                timings: list[float] = []
                statuses: Counter[str] = Counter()
                answers: Counter[str] = Counter()
                deadline = time.monotonic() + budget_s
                for i, q in enumerate(itertools.islice(itertools.cycle(questions), requests)):
                    if time.monotonic() > deadline:
                        break
                    body = _body(q, round_=i // len(questions) + 1)
                    started = time.perf_counter()
                    response = client.post("/api/ask", json=body)
                    timings.append(time.perf_counter() - started)
                    statuses[str(response.status_code)] += 1
                    if response.status_code == 200:
                        answers[str(response.json().get("status"))] += 1
            memory = memory_mib(proc.pid)
        finally:
            _stop(proc)
    return {
        "requests": len(timings),
        "requested": requests,
        "latency": summarize(timings).as_dict(),
        "http_status": dict(statuses),
        "answer_status": dict(answers),
        "ready_seconds": round(ready_s, 1),
        "peak_rss_mib": memory["VmHWM"],
        "rss_after_warm_up_mib": after_warm_up["VmRSS"],
        "rss_at_end_mib": memory["VmRSS"],
    }
