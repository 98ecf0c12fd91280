"""POST /api/ask: the answer contract of DESIGN.md."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from bot.advisor.models import Answer, Question
from bot.app.deps import CaseworkerDep, RuntimeDep
from bot.channels.answers import answer_for

router = APIRouter(prefix="/api", tags=["ask"])


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000, description="the user's question")
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2}$", description="ISO 639-1")
    country: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2"
    )
    channel: Literal["web", "sms", "whatsapp"] | None = None


@router.post("/ask", response_model=Answer)
def ask(body: AskRequest, _: CaseworkerDep, runtime: RuntimeDep) -> Answer:
    question = Question(
        text=body.question,
        lang=body.lang,
        country=body.country.upper() if body.country else None,
    )
    return answer_for(runtime, question, body.channel)
