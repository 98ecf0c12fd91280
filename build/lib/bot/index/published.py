"""What the published index holds, for the editors' page: read from its snapshot, cached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from bot.index.layout import SNAPSHOT_FILE, IndexLayout
from bot.index.snapshot import Snapshot


@dataclass(frozen=True)
class IndexInfo:
    generation: str
    built_at: datetime  # UTC, naive like the store's times
    documents: int
    passages: int
    referrals: int
    languages: tuple[str, ...]


@lru_cache(maxsize=8)
def _read_info(directory: Path) -> IndexInfo:
    # A published generation never changes, so its folder is a safe cache key.
    snapshot = Snapshot.read(directory)
    built = datetime.fromtimestamp((directory / SNAPSHOT_FILE).stat().st_mtime, UTC)
    return IndexInfo(snapshot.generation, built.replace(tzinfo=None), len(snapshot.documents),
                     len(snapshot.passages), len(snapshot.referrals),
                     tuple(sorted({d.lang for d in snapshot.documents})))


def published_index(data_dir: Path) -> tuple[IndexInfo | None, str | None]:
    """The generation ``CURRENT`` names, or why there is none to show."""
    layout = IndexLayout(data_dir)
    name = layout.current()
    if name is None:
        return None, "No index has been built yet: press “Re-index now”."
    try:
        return _read_info(layout.generation_dir(name)), None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, f"The published index {name} cannot be read ({exc}); re-index to rebuild it."
