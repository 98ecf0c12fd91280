"""The knowledge folder for editors: its check, the served index, and re-indexing."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.app.deps import AccountsDep, EditorDep, LoaderDep, ReindexerDep, SettingsDep
from bot.app.pages import render
from bot.index.place import IndexPlace
from bot.index.published import published_index
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import REVIEWERS, Knowledge
from bot.knowledge.summary import summary
from bot.knowledge.translations import stale_translations

router = APIRouter(prefix="/knowledge", tags=["web"], include_in_schema=False)

NOTICES = {
    "started": "Re-indexing started. It takes from a few seconds to a few minutes; "
               "reload this page to see how it goes.",
    "running": "A re-index is already running: wait for it to finish (reload this page).",
}


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


@router.get("")
def knowledge_page(request: Request, editor: EditorDep, settings: SettingsDep,
                   loader: LoaderDep, runner: ReindexerDep) -> Response:
    knowledge = check_folder(settings.knowledge_dir)
    runtime = loader.current()
    if runtime is not None:
        index, index_note = published_index(runtime.watcher.place)
    else:
        place = IndexPlace.of(settings)
        try:
            index, index_note = published_index(place)
        finally:
            place.close()
    notice = NOTICES.get(request.query_params.get("done", ""))
    awaiting = {who: sorted(d.path for d in knowledge.documents if who in d.awaiting_review)
                for who in REVIEWERS}
    stale = [(doc.path, original.path) for doc, original in stale_translations(knowledge.documents)]
    return render(request, "knowledge.html", title="Knowledge",
                  folder=str(settings.knowledge_dir), summary=summary(knowledge),
                  errors=knowledge.errors, warnings=knowledge.warnings,
                  awaiting=awaiting, stale=stale,
                  index=index, index_note=index_note,
                  served=runtime.watcher.view.generation if runtime else None,
                  reload_interval=settings.reload_interval, job=runner.job, notice=notice)


@router.post("/reindex")
def reindex(editor: EditorDep, accounts: AccountsDep, runner: ReindexerDep) -> Response:
    job, started = runner.start(editor.name)
    if started:
        accounts.audit(editor, "reindex", f"job:{job.id}")
    return RedirectResponse(f"/knowledge?done={'started' if started else 'running'}#reindex",
                            status_code=303)
