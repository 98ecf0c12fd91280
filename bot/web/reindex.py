"""Re-indexing from the web page: ``bot ingest`` in a child process, one job at a time.

The child is the same command an engineer would run, with the settings of the
running service passed as ``BOT_*`` variables, so it indexes the same knowledge
folder into the same data folder. It publishes a new index generation, and the
service switches to it by itself (``BOT_RELOAD_INTERVAL``). Running ingest in a
separate process keeps the service's own embedder and index untouched, and the
writer lock in ``bot/index/layout.py`` still keeps a concurrent ``bot ingest``
(a cron job, an engineer) from writing at the same time: that case is reported
as "busy", not as a failure of the knowledge folder.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import subprocess
import sys
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from bot.config import Settings
from bot.store.models import utcnow

log = logging.getLogger(__name__)

State = Literal["running", "succeeded", "failed"]
KEEP_LINES = 40
TIMEOUT_SECONDS = 3600.0
# What IndexBusy says (bot/index/layout.py) when another process holds the writer lock.
BUSY_MARKER = "another process is ingesting"
GENERATION_PREFIX = "index generation "


@dataclass
class ReindexJob:
    id: int
    started_by: str
    started_at: datetime
    state: State = "running"
    finished_at: datetime | None = None
    exit_code: int | None = None
    busy: bool = False  # another ingest held the index: nothing was wrong with the folder
    generation: str | None = None  # the generation it published (or found up to date)
    _lines: deque[str] = field(default_factory=lambda: deque(maxlen=KEEP_LINES), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_line(self, line: str) -> None:
        with self._lock:
            self._lines.append(line)

    @property
    def output(self) -> str:
        """The last lines the command printed (standard output and error)."""
        with self._lock:
            return "\n".join(self._lines)

    @property
    def summary(self) -> str:
        if self.state == "running":
            return "running"
        if self.state == "succeeded":
            return f"succeeded: index generation {self.generation}" if self.generation \
                else "succeeded"
        if self.busy:
            return ("failed: another ingest is writing the index right now; "
                    "wait for it to finish, then re-index again")
        return f"failed (exit code {self.exit_code}): see the output below"


def child_environment(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """The parent's environment with every setting spelt out as a ``BOT_*`` variable.

    Paths become absolute because the child runs in the data folder, where no
    stray ``.env`` can change what it does.
    """
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if not k.startswith("BOT_")}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, Path):
            text = str(value.resolve())
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, dict | list | tuple):
            text = json.dumps(value)  # pydantic-settings reads complex values as JSON
        else:
            text = str(value)
        env[f"BOT_{name.upper()}"] = text
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


class Reindexer:
    """Starts ``bot ingest`` in the background and remembers the last job."""

    def __init__(self, settings: Settings, command: list[str] | None = None,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings = settings
        self.command = command or [sys.executable, "-m", "bot", "ingest", "--quiet"]
        self.timeout = timeout
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.job: ReindexJob | None = None

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.state == "running"

    def start(self, user_name: str) -> tuple[ReindexJob, bool]:
        """A new job, or the one still running (and False: nothing was started)."""
        with self._lock:
            if self.job is not None and self.job.state == "running":
                return self.job, False
            job = ReindexJob(next(self._ids), user_name, utcnow())
            self.job = job
        cwd = self.settings.data_dir.resolve()
        try:
            cwd.mkdir(parents=True, exist_ok=True)
            proc = subprocess.Popen(
                self.command, cwd=cwd, env=child_environment(self.settings),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, encoding="utf-8", errors="replace", bufsize=1,
            )
        except OSError as exc:
            job.add_line(f"could not start {' '.join(self.command)}: {exc}")
            self._finish(job, None)
            return job, True
        threading.Thread(target=self._follow, args=(job, proc), name=f"reindex-{job.id}",
                         daemon=True).start()
        return job, True

    def _follow(self, job: ReindexJob, proc: subprocess.Popen[str]) -> None:
        timer = threading.Timer(self.timeout, self._kill, args=(job, proc))
        timer.daemon = True
        timer.start()
        try:
            with proc:  # closes the pipe and waits for the exit code
                assert proc.stdout is not None
                for raw in proc.stdout:
                    line = raw.rstrip()
                    if line:
                        job.add_line(line)
                    if BUSY_MARKER in line:
                        job.busy = True
                    if line.startswith(GENERATION_PREFIX):
                        job.generation = line[len(GENERATION_PREFIX):].strip()
        finally:
            timer.cancel()
        self._finish(job, proc.returncode)

    def _kill(self, job: ReindexJob, proc: subprocess.Popen[str]) -> None:
        job.add_line(f"stopped after {self.timeout:.0f} s")
        proc.kill()

    def _finish(self, job: ReindexJob, code: int | None) -> None:
        with self._lock:
            job.exit_code = code
            job.finished_at = utcnow()
            job.state = "succeeded" if code == 0 else "failed"
        log.info("re-index job %d %s", job.id, job.summary)


_create_lock = threading.Lock()


def reindexer_of(app_state: object, settings: Settings) -> Reindexer:
    """The app's one ``Reindexer``, made on first use and kept on ``app.state``."""
    with _create_lock:
        runner = getattr(app_state, "reindexer", None)
        if runner is None:
            runner = Reindexer(settings)
            setattr(app_state, "reindexer", runner)  # noqa: B010 - Starlette's State
        return runner
