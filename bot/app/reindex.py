"""Re-indexing from the knowledge page: the ingest function in a child process, one job at a time.

The child runs ``bot.index.ingest.ingest`` with the service's own settings, so it
indexes the same knowledge folder into the same data folder, and sends back its
outcome as a value: the ``IngestReport``, the problems that refused the folder,
or that another ingest holds the index ("busy", not a fault of the folder). It
publishes a new index generation, and the service switches to it by itself
(``BOT_RELOAD_INTERVAL``). A process of its own keeps the service's embedder
and the Chroma folders it serves untouched (one process per Chroma folder),
and the writer lock (``bot/index/catalog.py``: a file lock, or on replicas
sharing a Chroma server a lock in the shared database) still keeps a concurrent
``bot ingest`` (a cron job, an engineer, another replica) from writing at the
same time.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any, Literal

from bot.config import Settings
from bot.errors import IndexBusy, KnowledgeError
from bot.store.models import utcnow

log = logging.getLogger(__name__)

State = Literal["running", "succeeded", "failed"]
KEEP_LINES = 40
TIMEOUT_SECONDS = 3600.0


@dataclass
class ReindexJob:
    id: int
    started_by: str
    started_at: datetime
    state: State = "running"
    finished_at: datetime | None = None
    busy: bool = False  # another ingest held the index: nothing was wrong with the folder
    generation: str | None = None  # the generation it published (or found up to date)
    _lines: deque[str] = field(default_factory=lambda: deque(maxlen=KEEP_LINES), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_line(self, line: str) -> None:
        with self._lock:
            self._lines.append(line)

    @property
    def output(self) -> str:
        """The last lines of what the job did: the files, the summary, or the problems."""
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
        return "failed: see the output below"


def run_ingest(values: dict[str, Any], conn: Connection) -> None:
    """The child: one ingest with the service's settings; its outcome sent as a value."""
    from bot.index.embedders import make_embedder
    from bot.index.ingest import ingest, refusal_lines
    from bot.index.place import IndexPlace

    try:
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        place = IndexPlace.of(settings)
        try:
            report = ingest(settings.knowledge_dir, place, make_embedder(settings.embedder),
                            settings.embedder, progress=False)
        finally:
            place.close()
        conn.send(("succeeded", report.lines(), report.generation))
    except KnowledgeError as exc:
        conn.send(("refused", refusal_lines(exc), None))
    except IndexBusy as exc:
        conn.send(("busy", [str(exc)], None))
    except Exception as exc:  # noqa: BLE001 - any fault is the job's outcome
        conn.send(("failed", [f"{type(exc).__name__}: {exc}"], None))
    finally:
        conn.close()


class Reindexer:
    """Starts an ingest in the background and remembers the last job."""

    def __init__(self, settings: Settings, timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings = settings
        self.timeout = timeout
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.job: ReindexJob | None = None

    def start(self, user_name: str) -> tuple[ReindexJob, bool]:
        """A new job, or the one still running (and False: nothing was started)."""
        with self._lock:
            if self.job is not None and self.job.state == "running":
                return self.job, False
            job = ReindexJob(next(self._ids), user_name, utcnow())
            self.job = job
        threading.Thread(target=self._run, args=(job,), name=f"reindex-{job.id}",
                         daemon=True).start()
        return job, True

    def _run(self, job: ReindexJob) -> None:
        # A fresh interpreter (spawn): no thread, lock or open Chroma client is inherited.
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=run_ingest, args=(self.settings.model_dump(), send),
                                name=f"bot-reindex-{job.id}", daemon=True)
        outcome: tuple[str, list[str], str | None]
        try:
            child.start()
        except OSError as exc:
            outcome = ("failed", [f"could not start the ingest process: {exc}"], None)
        else:
            send.close()
            outcome = self._wait(receive, child)
        receive.close()
        state, lines, generation = outcome
        for line in lines:
            job.add_line(line)
        with self._lock:
            job.busy = state == "busy"
            job.generation = generation
            job.finished_at = utcnow()
            job.state = "succeeded" if state == "succeeded" else "failed"
        log.info("re-index job %d %s", job.id, job.summary)

    def _wait(self, receive: Connection,
              child: Any) -> tuple[str, list[str], str | None]:
        """The child's outcome; a timeout or a crash is a failure that says so."""
        try:
            if receive.poll(self.timeout):
                return receive.recv()  # type: ignore[no-any-return]
            return ("failed", [f"stopped after {self.timeout:.0f} s"], None)
        except (EOFError, OSError):
            child.join(10)
            return ("failed", ["the ingest process ended without an outcome "
                               f"(exit code {child.exitcode})"], None)
        finally:
            if child.is_alive():
                child.kill()
            child.join(10)
