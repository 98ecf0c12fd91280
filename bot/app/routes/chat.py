"""The chat page: a caseworker asks, reads the cited answer and says whether it helped.

``GET /chat`` is the page; ``static/chat.js`` posts to ``POST /api/chat`` and
builds the answer in the browser from the JSON, as text only. The question is
answered by the same advisor as every channel, rendered once for the page
(profile ``page``: the sources and contacts are panels and cards there), and
stored redacted with its outcome, so ``POST /api/feedback`` can refer to it
and the knowledge-gaps page can count what went unanswered.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from bot.advisor.models import Answer, Citation, Question
from bot.advisor.runtime import Runtime
from bot.advisor.trace import Trace
from bot.app.deps import CaseworkerDep, LoaderDep, RecordsDep, RuntimeDep
from bot.app.pages import render
from bot.channels.render import profile, render_answer
from bot.documents.intake import MAX_BYTES as MAX_DOCUMENT_BYTES
from bot.store.models import MAX_ROW_ID, utcnow
from bot.text.languages import SERVED_NAMES

router = APIRouter(tags=["web"])
MAX_QUESTION = 2000
MAX_COMMENT = 1000
PAGE = profile("page")


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
    awaiting_review: list[str] = Field(
        default_factory=list, description="who has yet to review it: legal, native-speaker"
    )


class ChatAnswer(Answer):
    """The answer contract plus what the page needs: the stored question and review dates.

    ``answer`` is the text as the page shows it: without the list of sources and
    the other contacts, which the page shows as panels and cards.
    """

    question_id: int
    citations: list[ChatCitation] = Field(default_factory=list)  # type: ignore[assignment]


class FeedbackRequest(BaseModel):
    question_id: int = Field(ge=1, le=MAX_ROW_ID)
    helpful: bool
    comment: str | None = Field(default=None, max_length=MAX_COMMENT)


def _countries(runtime: Runtime | None) -> list[str]:
    """Countries the served guidance and referrals name, for the country picker."""
    if runtime is None:
        return []
    view = runtime.watcher.view
    codes = {c for d in view.documents.values() for c in d.countries}
    codes |= {c for r in view.referrals.values() for c in r.countries}
    return sorted(c for c in codes if len(c) == 2 and c.isalpha())  # not ANY


@router.get("/chat", include_in_schema=False)
def chat_page(request: Request, _: CaseworkerDep, loader: LoaderDep) -> Response:
    return render(request, "chat.html", title="Ask", languages=list(SERVED_NAMES.items()),
                  countries=_countries(loader.current()), max_question=MAX_QUESTION,
                  max_comment=MAX_COMMENT, max_document_bytes=MAX_DOCUMENT_BYTES)


def _with_review_dates(citations: list[Citation], trace: Trace | None) -> list[ChatCitation]:
    documents = trace.documents if trace is not None else {}
    today = utcnow().date()
    out = []
    for c in citations:
        doc = documents.get((c.doc_id, c.lang))
        out.append(ChatCitation(
            **c.model_dump(),
            reviewed_on=doc.reviewed_on if doc else None,
            review_due=doc.review_due if doc else None,
            review_overdue=bool(doc and doc.review_due < today),
            awaiting_review=list(doc.awaiting_review) if doc else [],
        ))
    return out


@router.post("/api/chat", response_model=ChatAnswer)
def chat(body: ChatRequest, account: CaseworkerDep, runtime: RuntimeDep,
         records: RecordsDep) -> ChatAnswer:
    country = body.country.upper() if body.country else None
    answer = runtime.ask(Question(text=body.question, lang=body.lang, country=country),
                         PAGE.budget)
    question_id = records.record_question(
        "web", body.question, user_id=account.id, lang=answer.language, country=country,
        status=answer.status, reason=answer.reason, urgent=answer.urgent,
        doc_ids=[c.doc_id for c in answer.citations])
    fields = answer.model_dump(exclude={"citations", "answer"})
    return ChatAnswer(**fields, answer=render_answer(answer, PAGE, runtime.strings).text,
                      question_id=question_id,
                      citations=_with_review_dates(answer.citations, answer.trace))


@router.post("/api/feedback")
def feedback(body: FeedbackRequest, account: CaseworkerDep,
             records: RecordsDep) -> dict[str, object]:
    """One verdict per caseworker and question: a second click changes the first."""
    feedback_id = records.record_feedback(body.question_id, account.id, body.helpful,
                                          body.comment)
    if feedback_id is None:
        raise HTTPException(404, f"no question {body.question_id}")
    return {"id": feedback_id, "question_id": body.question_id, "helpful": body.helpful}
