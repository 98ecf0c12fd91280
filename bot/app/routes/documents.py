"""POST /api/chat/document: a caseworker asks "what is this paper?" with a photo of it.

The Ask page (``static/chat.js``) sends the photo or PDF as base64 in JSON, with
the caption (the question typed beside it, which decides how urgent the answer
is), the language and the country, the session cookie and the CSRF token. The
same checks as on WhatsApp: at most 5 MB (the body is refused with 413 while it
streams in, before it is decoded), and the bytes must be a JPEG, PNG or WebP
photo or a PDF, or the answer says which types are read. The photo is read in
memory (never spooled to a temporary file, as a multipart upload would be) by
the same reader and answered by the same advisor as on WhatsApp, rendered once
for the page; only the placeholder ("[photo: military_contract]") and the
caption, redacted, are stored with the outcome, for feedback and the gaps page.
"""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from bot.advisor.models import Question
from bot.advisor.paper_answer import DocumentAnswer
from bot.app.deps import CaseworkerDep, RecordsDep, RuntimeDep
from bot.app.routes.chat import MAX_QUESTION, PAGE, ChatCitation, _with_review_dates
from bot.channels.render import render_answer
from bot.documents.intake import MAX_BYTES

router = APIRouter(tags=["web"])
MAX_IMAGE_CHARS = 4 * ((MAX_BYTES + 2) // 3)  # 5 MB in base64
MAX_BODY = MAX_IMAGE_CHARS + 64 * 1024  # and the caption and fields around it
TOO_LARGE = f"The file is too large: at most {MAX_BYTES // (1024 * 1024)} MB."


class DocumentRequest(BaseModel):
    image: str = Field(min_length=1, description="the photo (JPEG, PNG or WebP) or PDF, "
                       "base64-encoded; at most 5 MB once decoded")
    caption: str = Field(default="", max_length=MAX_QUESTION,
                         description="the message sent with the photo, if any")
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2}$", description="ISO 639-1")
    country: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2"
    )


class ChatDocumentAnswer(DocumentAnswer):
    """The answer about the paper, with the stored question's id and the review dates."""

    question_id: int
    citations: list[ChatCitation] = Field(default_factory=list)  # type: ignore[assignment]


async def _body(request: Request) -> bytes:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise HTTPException(415, "send the photo as JSON: {\"image\": base64, ...}")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise HTTPException(413, TOO_LARGE)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise HTTPException(413, TOO_LARGE)
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(image: str) -> bytes:
    try:
        data = base64.b64decode(image, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RequestValidationError([{"type": "value_error", "loc": ("body", "image"),
                                       "msg": "not base64", "input": None}]) from exc
    if len(data) > MAX_BYTES:
        raise HTTPException(413, TOO_LARGE)
    return data


@router.post(
    "/api/chat/document",
    response_model=ChatDocumentAnswer,
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": DocumentRequest.model_json_schema()}}}},
)
async def chat_document(request: Request, account: CaseworkerDep, runtime: RuntimeDep,
                        records: RecordsDep) -> ChatDocumentAnswer:
    raw = await _body(request)
    try:
        body = DocumentRequest.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_input=False)) from exc
    data = _decode(body.image)
    unavailable = runtime.papers.unavailable()
    if unavailable:
        raise HTTPException(503, f"photos cannot be read on this server: {unavailable}")
    country = body.country.upper() if body.country else None
    question = Question(text=body.caption, lang=body.lang, country=country)
    answer = await run_in_threadpool(runtime.papers.answer, data, question, PAGE.budget)
    del data, raw, body
    question_id = records.record_question(
        "web", f"{answer.placeholder} {question.text}".strip(), user_id=account.id,
        lang=answer.language, country=country, status=answer.status, reason=answer.reason,
        urgent=answer.urgent, doc_ids=[c.doc_id for c in answer.citations])
    fields = answer.model_dump(exclude={"citations", "answer"})
    return ChatDocumentAnswer(
        **fields, answer=render_answer(answer, PAGE, runtime.strings).text,
        question_id=question_id, citations=_with_review_dates(answer.citations, answer.trace))
