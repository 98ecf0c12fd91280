"""What the published index holds, for the editors' page: from its catalog, cached."""

from __future__ import annotations

from bot.errors import IndexError_
from bot.index.catalog import IndexInfo
from bot.index.place import IndexPlace

__all__ = ["IndexInfo", "published_index"]


def published_index(place: IndexPlace) -> tuple[IndexInfo | None, str | None]:
    """The generation the catalog names, or why there is none to show."""
    try:
        name = place.catalog.current()
    except IndexError_ as exc:
        return None, f"The published index cannot be read ({exc})."
    if name is None:
        return None, "No index has been built yet: press “Re-index now”."
    try:
        return place.catalog.info(name), None
    except (OSError, ValueError, KeyError, TypeError, IndexError_) as exc:
        return None, f"The published index {name} cannot be read ({exc}); re-index to rebuild it."
