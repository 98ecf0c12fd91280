"""The project's exceptions: faults, not outcomes.

Outcomes (no answer, an urgent message, a refused question) are values on the
``Answer``. Exceptions are for things that went wrong, and each edge turns them
into a clear message (CLI: message and exit code; HTTP: a status code).

    BotError
     +-- ConfigError          settings that cannot work (missing secret in production, ...)
     +-- KnowledgeError       the knowledge folder has errors (carries the problems)
     +-- IndexError_          the index is missing, corrupt or busy
     |    +-- IndexNotBuilt   no index yet: run `bot ingest`
     |    +-- IndexBusy       another process is writing the index
     +-- EmbeddingError       the embedding backend could not be loaded or failed

A ``Problem`` names what is wrong with an input file (a knowledge document,
the referral registry, the assistant's texts): file, line, field, message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, pointing at file, line and field."""

    path: str
    line: int
    field: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        what = f" [{self.field}]" if self.field else ""
        return f"{where}:{what} {self.severity}: {self.message}"


class BotError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(BotError):
    pass


class KnowledgeError(BotError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"the knowledge folder has {len(errors)} error(s)")


class IndexError_(BotError):  # noqa: N801 - trailing underscore avoids the builtin
    pass


class IndexNotBuilt(IndexError_):
    pass


class IndexBusy(IndexError_):
    pass


class EmbeddingError(BotError):
    pass
