"""Knowledge gaps: what users asked that the guidance does not answer well (caseworkers)."""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.app.deps import AccountsDep, CaseworkerDep, DatabaseDep, LoaderDep
from bot.app.pages import render
from bot.errors import BotError
from bot.store.gaps import MAX_QUESTIONS, GapGroup, find_gaps, group_gaps
from bot.store.models import utcnow

log = logging.getLogger(__name__)
router = APIRouter(tags=["web"], include_in_schema=False)

PERIODS = (7, 30, 90, 365)  # days offered in the period menu
DEFAULT_DAYS = 30


def period(value: str | None) -> int:
    """The number of days asked for; anything not on the menu means the default."""
    try:
        days = int(value or DEFAULT_DAYS)
    except ValueError:
        return DEFAULT_DAYS
    return days if days in PERIODS else DEFAULT_DAYS


@router.get("/gaps")
def gaps_page(request: Request, user: CaseworkerDep, db: DatabaseDep,
              loader: LoaderDep, accounts: AccountsDep) -> Response:
    days = period(request.query_params.get("days"))
    accounts.audit(user, "viewed gaps", f"days:{days}")  # users' questions, redacted
    with db.session() as s:
        gaps = find_gaps(s, utcnow() - timedelta(days=days))

    groups: list[GapGroup] | None = None
    note = None
    runtime = loader.loaded()  # its embedder groups the questions, even before an index
    if not gaps:
        groups = []
    elif runtime is None:
        note = ("The language model is still loading, so the questions are not grouped yet. "
                "Reload the page in a minute.")
    else:
        try:
            groups = group_gaps(gaps, runtime.embedder)
        except BotError as exc:
            log.error("knowledge gaps could not be grouped: %s", exc)
            note = ("The questions could not be grouped (see the server log); "
                    "here they are one by one.")
    return render(request, "gaps.html", title="Knowledge gaps", days=days, periods=PERIODS,
                  gaps=gaps, groups=groups, note=note, capped=len(gaps) >= MAX_QUESTIONS,
                  max_questions=MAX_QUESTIONS)
