"""The chat page: a caseworker asks, reads the cited answer and says whether it helped.

``GET /chat`` is the page; ``static/chat.js`` posts to ``POST /api/chat`` and
builds the answer in the browser from the JSON, as text only. The question is
answered by the same runtime as every channel (channel ``web``) and stored
redacted with its outcome (``AskedQuestion``), so ``POST /api/feedback`` can
refer to it and the knowledge-gaps page can count what went unanswered.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from bot.advisor.models import Answer, Citation, Question
from bot.api.state import AppState, DatabaseDep, RuntimeDep
from bot.channels.profiles import render as render_answer
from bot.errors import IndexNotBuilt
from bot.index.snapshot import DocInfo
from bot.runtime import Runtime
from bot.store.models import MAX_ROW_ID, AskedQuestion, Feedback, utcnow
from bot.store.redact import redact
from bot.web.auth import CaseworkerDep
from bot.web.pages import render

router = APIRouter(tags=["web"])

# The languages of prompts/strings, by their own names (the page's language filter).
LANGUAGES = (
    ("en", "English"), ("fr", "Français"), ("ar", "العربية"), ("sw", "Kiswahili"),
    ("ne", "नेपाली"), ("hi", "हिन्दी"), ("ru", "Русский"), ("pt", "Português"),
    ("am", "አማርኛ"), ("es", "Español"),
)
MAX_QUESTION = 2000
MAX_COMMENT = 1000


class ChatRequest(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2}$", description="ISO 639-1")
    country: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2"
    )


class ChatCitation(Citation):
    reviewed_on: date | None = Field(default=None, description="when the guidance was reviewed")
    review_due: date | None = None
    review_overdue: bool = False


class ChatAnswer(Answer):
    """The answer contract plus what the page needs: the stored question and review dates."""

    question_id: int
    body: str = Field(
        description="the answer text without the list of sources and the other contacts, "
        "which the page shows as panels and cards"
    )
    citations: list[ChatCitation] = Field(default_factory=list)  # type: ignore[assignment]


class FeedbackRequest(BaseModel):
    question_id: int = Field(ge=1, le=MAX_ROW_ID)
    helpful: bool
    comment: str | None = Field(default=None, max_length=MAX_COMMENT)


def _countries(state: AppState) -> list[str]:
    """Countries the served guidance and referrals name, for the country picker."""
    if not state.ready or state.runtime is None:
        return []
    try:
        view = state.runtime.watcher.view
    except IndexNotBuilt:
        return []
    codes = {c for d in view.documents.values() for c in d.countries}
    codes |= {c for r in view.referrals.values() for c in r.countries}
    return sorted(c for c in codes if len(c) == 2 and c.isalpha())  # not ANY


@router.get("/chat", include_in_schema=False)
def chat_page(request: Request, _: CaseworkerDep) -> Response:
    return render(request, "chat.html", title="Ask", languages=LANGUAGES,
                  countries=_countries(request.app.state.bot), max_question=MAX_QUESTION,
                  max_comment=MAX_COMMENT)


def _with_review_dates(citations: list[Citation], runtime: Runtime) -> list[ChatCitation]:
    try:
        documents: dict[tuple[str, str], DocInfo] = runtime.watcher.view.documents
    except IndexNotBuilt:
        documents = {}
    today = utcnow().date()
    out = []
    for c in citations:
        doc = documents.get((c.doc_id, c.lang))
        out.append(ChatCitation(
            **c.model_dump(),
            reviewed_on=doc.reviewed_on if doc else None,
            review_due=doc.review_due if doc else None,
            review_overdue=bool(doc and doc.review_due < today),
        ))
    return out


@router.post("/api/chat", response_model=ChatAnswer)
def chat(body: ChatRequest, account: CaseworkerDep, runtime: RuntimeDep,
         db: DatabaseDep) -> ChatAnswer:
    country = body.country.upper() if body.country else None
    answer = runtime.ask(Question(text=body.question, lang=body.lang, country=country),
                         channel="web")
    doc_ids = list(dict.fromkeys(c.doc_id for c in answer.citations))
    with db.session() as s:
        row = AskedQuestion(
            channel="web", user_id=account.id, text=redact(body.question),
            lang=answer.language, country=country, status=answer.status,
            reason=answer.reason, urgent=answer.urgent, doc_ids=" ".join(doc_ids),
        )
        s.add(row)
        s.flush()
        question_id = row.id
    fields = answer.model_dump(exclude={"citations"})
    text = render_answer(answer, "web", runtime.strings, lists=False)
    return ChatAnswer(**fields, question_id=question_id, body=text,
                      citations=_with_review_dates(answer.citations, runtime))


@router.post("/api/feedback")
def feedback(body: FeedbackRequest, account: CaseworkerDep,
             db: DatabaseDep) -> dict[str, object]:
    """One verdict per caseworker and question: a second click changes the first."""
    comment = redact(body.comment.strip()) if body.comment and body.comment.strip() else None
    with db.session() as s:
        if s.get(AskedQuestion, body.question_id) is None:
            raise HTTPException(404, f"no question {body.question_id}")
        row = s.scalars(select(Feedback).where(Feedback.question_id == body.question_id,
                                               Feedback.user_id == account.id)).first()
        if row is None:
            row = Feedback(question_id=body.question_id, user_id=account.id,
                           helpful=body.helpful, comment=comment)
            s.add(row)
        else:
            row.helpful, row.comment, row.created_at = body.helpful, comment, utcnow()
        s.flush()
        feedback_id = row.id
    return {"id": feedback_id, "question_id": body.question_id, "helpful": body.helpful}
