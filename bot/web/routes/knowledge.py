"""The knowledge folder for editors: its check, the served index, and re-indexing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.api.state import AppState
from bot.commands.knowledge import summary
from bot.index.layout import SNAPSHOT_FILE, IndexLayout
from bot.index.snapshot import Snapshot
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import Knowledge
from bot.web.auth import AccountsDep, EditorDep
from bot.web.pages import render
from bot.web.reindex import reindexer_of

router = APIRouter(prefix="/knowledge", tags=["web"], include_in_schema=False)

NOTICES = {
    "started": "Re-indexing started. It takes from a few seconds to a few minutes; "
               "reload this page to see how it goes.",
    "running": "A re-index is already running: wait for it to finish (reload this page).",
}


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


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    try:
        files = sorted(p for p in root.rglob("*") if p.is_file())
        return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    except OSError:
        return ()


@lru_cache(maxsize=4)
def _checked(root: Path, today: date, fingerprint: tuple[tuple[str, int, int], ...]) -> Knowledge:
    return load_knowledge(root, today=today)


def check_folder(root: Path) -> Knowledge:
    """The folder's check, done again only when a file changed (or the day did)."""
    return _checked(root, date.today(), _fingerprint(root))


def _served_generation(state: AppState) -> str | None:
    runtime = state.runtime
    if runtime is None or not runtime.watcher.ready:
        return None
    return runtime.watcher.view.generation


@router.get("")
def knowledge_page(request: Request, editor: EditorDep) -> Response:
    state: AppState = request.app.state.bot
    settings = state.settings
    knowledge = check_folder(settings.knowledge_dir)
    index, index_note = published_index(settings.data_dir)
    runner = reindexer_of(request.app.state, settings)
    notice = NOTICES.get(request.query_params.get("done", ""))
    return render(request, "knowledge.html", title="Knowledge",
                  folder=str(settings.knowledge_dir), summary=summary(knowledge),
                  errors=knowledge.errors, warnings=knowledge.warnings,
                  index=index, index_note=index_note, served=_served_generation(state),
                  reload_interval=settings.reload_interval, job=runner.job, notice=notice)


@router.post("/reindex")
def reindex(request: Request, editor: EditorDep, accounts: AccountsDep) -> Response:
    runner = reindexer_of(request.app.state, request.app.state.bot.settings)
    job, started = runner.start(editor.name)
    if started:
        accounts.audit(editor, "reindex", f"job:{job.id}")
    return RedirectResponse(f"/knowledge?done={'started' if started else 'running'}#reindex",
                            status_code=303)
