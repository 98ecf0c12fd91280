"""What the advisor found and judged on the way to an answer: the answer's ``trace``.

Never shown to a user and not part of the answer JSON. The evaluation reads
the retrieval and the triage verdict from it instead of running them again;
the caseworkers' page reads the review dates of the cited documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.advisor.cued import CuedVerdict
from bot.advisor.first_steps import Step
from bot.advisor.triage import TriageVerdict
from bot.index.snapshot import DocInfo
from bot.retrieval.retriever import Retrieval


@dataclass(frozen=True)
class Trace:
    language: str  # the language answered in (given, or detected)
    triage: TriageVerdict | None = None  # None: no triage configured, or empty text
    refusal: CuedVerdict | None = None  # None: no refusal check configured, or empty text
    first_steps: tuple[Step, ...] = ()  # the first-steps sections matched (urgent only)
    # None when the message was refused or empty before retrieval (unless measured).
    retrieval: Retrieval | None = None
    floor: float | None = None  # the relevance floor of the language
    # The documents the citations come from, by (doc_id, lang): titles, review dates.
    documents: dict[tuple[str, str], DocInfo] = field(default_factory=dict)
