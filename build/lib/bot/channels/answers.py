"""The answer object of ``POST /api/ask`` and ``bot ask``: asked with the channel's budget,
rendered once for the channel it names.

Its ``answer`` field is the text exactly as that channel would show it (for
SMS: the whole text, before it is cut into a first part and MORE).
"""

from __future__ import annotations

from bot.advisor.models import Answer, Question
from bot.advisor.runtime import Runtime
from bot.channels.render import profile, render_answer


def answer_for(runtime: Runtime, question: Question, channel: str | None = None) -> Answer:
    p = profile(channel)
    answer = runtime.ask(question, p.budget)
    answer.answer = render_answer(answer, p, runtime.strings).text
    return answer
