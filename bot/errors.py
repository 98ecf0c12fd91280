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
     +-- ChannelError         a channel could not parse or deliver a message
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.knowledge.models import Problem


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


class ChannelError(BotError):
    pass
