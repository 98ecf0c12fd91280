"""The runtime of a long-running service: built in the background, ``None`` until ready.

``bot serve`` answers ``/healthz`` at once and loads the embedding model, the
example messages and the index in a thread (about 25 s on 2 cores); until
then ``current()`` is None, ``/readyz`` answers 503 with ``status()``, and
WhatsApp and SMS messages wait in the store for the outbox worker. The log
says when loading starts, why the service is not ready, and when it is.

A test hands in a runtime it built (``RuntimeLoader.of``): ready at once, and
closed by its owner, not here.
"""

from __future__ import annotations

import logging
import threading
import time

from bot.advisor.runtime import Runtime, build_runtime
from bot.config import Settings

log = logging.getLogger(__name__)


class RuntimeLoader:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._runtime: Runtime | None = None
        self._owned = True
        self.error: str | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    @classmethod
    def of(cls, runtime: Runtime) -> RuntimeLoader:
        """A runtime built by the caller, served as it is and left to the caller to close."""
        loader = cls(runtime.settings)
        loader._runtime, loader._owned = runtime, False
        return loader

    def start(self) -> None:
        """Load in a background thread (nothing to do for a runtime handed in)."""
        if self._runtime is not None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self.load, name="runtime-loader", daemon=True)
        self._thread.start()

    def load(self) -> None:
        log.info("loading the embedding model, the example messages and the index; "
                 "/readyz answers 503 until they are loaded")
        started = time.perf_counter()
        try:
            runtime = build_runtime(self.settings, watch=True)
        except Exception as exc:  # noqa: BLE001 - reported on /readyz, the process stays up
            log.exception("could not load the assistant")
            self.error = str(exc)
            return
        self.install(runtime)
        seconds = time.perf_counter() - started
        if runtime.watcher.ready:
            log.info("ready in %.1f s: serving index generation %s", seconds,
                     runtime.watcher.view.generation)
        else:
            log.warning("loaded in %.1f s but not ready: %s", seconds, self.status())

    def install(self, runtime: Runtime | None) -> None:
        """Serve ``runtime`` from now on (None: nothing, as while loading)."""
        with self._lock:
            if not self._closed:
                self._runtime = runtime
                return
        if runtime is not None and self._owned:  # the service stopped while it loaded
            runtime.close()

    def current(self) -> Runtime | None:
        """The runtime, once it is loaded and has an index to serve; else None."""
        runtime = self._runtime
        return runtime if runtime is not None and runtime.watcher.ready else None

    def loaded(self) -> Runtime | None:
        """The runtime once loaded, even before it has an index (its embedder works)."""
        return self._runtime

    def status(self) -> str:
        if self.error:
            return self.error
        runtime = self._runtime
        if runtime is None:
            return "loading the embedding model and the index"
        if not runtime.watcher.ready:
            return runtime.watcher.last_error or "no index yet: run `bot ingest`"
        return "ready"

    def close(self) -> None:
        with self._lock:
            self._closed = True
            runtime, self._runtime = self._runtime, None
        if runtime is not None and self._owned:
            runtime.close()
