"""What goes into the advisor and what comes out: the public answer contract (DESIGN.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

from bot.advisor.trace import Trace

Status = Literal["answered", "no_answer"]
Level = Literal["urgent", "sensitive", "routine"]  # triage, most to least severe


class Question(BaseModel):
    """A neutral incoming question; channels build it, the advisor reads it."""

    text: str
    lang: str | None = None  # answer in this language (ISO 639-1); detected when None
    saved_lang: str | None = None  # the user's saved choice: settles unclear detections
    country: str | None = None  # where the user is (ISO 3166-1 alpha-2)
    nationality: str | None = None  # the user's citizenship, when known


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    section: str
    path: str
    url: str | None
    quote: str = Field(description="the passage used, verbatim")
    lang: str = Field(description="language of the quoted passage")


class ReferralOut(BaseModel):
    """A registry entry as shown: its name and warning in the answer's language when the
    registry translates them (``name_en``/``warning_en`` then keep the English), its
    contacts always verbatim."""

    id: str
    name: str
    kind: str
    phone: str | None = None
    whatsapp: str | None = None
    telegram: str | None = None
    email: str | None = None
    web: str | None = None
    hours: str | None = None
    notes: str | None = None
    warning: str | None = Field(default=None, description="a short risk shown with the contact")
    name_en: str | None = Field(
        default=None, description="the registry's English name, when 'name' is a translation"
    )
    warning_en: str | None = Field(
        default=None, description="the registry's English warning, when 'warning' is a translation"
    )
    verified_on: str | None = Field(
        default=None, description="when the source was last seen publishing this contact"
    )
    tested_on: str | None = Field(
        default=None, description="when a call or message really reached someone; null: never"
    )


class Sentence(BaseModel):
    """One sentence of the answer body and the citation numbers that support it."""

    text: str
    cites: list[int]


class Answer(BaseModel):
    """What the advisor decided. ``answer`` is filled by the channel that renders it
    (``bot.channels.render``); the advisor itself never lays text out."""

    status: Status
    urgent: bool = Field(default=False, description='the same as triage == "urgent"')
    triage: Level = Field(
        default="routine",
        description="urgent: danger to liberty or life now or within hours; sensitive: harm "
        "that is over or not within hours; routine: everything else",
    )
    dangers: list[str] = Field(
        default_factory=list,
        description="the dangers an urgent message states, as the sections of the first-steps "
        "guide it matched: detained, signing, locked_in, front, hurt, self_harm, signed",
    )
    language: str
    answer: str = Field(default="", description="text exactly as the channel would show it")
    citations: list[Citation] = Field(default_factory=list)
    referrals: list[ReferralOut] = Field(default_factory=list)
    reason: str | None = Field(
        default=None,
        description="why there is no answer: no_relevant_guidance, refused_request, "
        "empty_question or check_failed",
    )
    direction: Literal["ltr", "rtl"] = Field(
        default="ltr", description="writing direction of the answer's language"
    )
    # The parts the channel renders; not part of the JSON contract.
    steps: list[Sentence] = Field(default_factory=list, exclude=True)  # urgent first steps
    sentences: list[Sentence] = Field(default_factory=list, exclude=True)
    urgent_referrals: int = Field(default=0, exclude=True)  # the first n referrals are urgent
    notes: list[str] = Field(default_factory=list, exclude=True)  # e.g. "only in English"
    notice: str = Field(default="", exclude=True)
    intro: str = Field(default="", exclude=True)
    danger: str = Field(default="", exclude=True)  # "If you are locked in ...:"
    caveat: str = Field(default="", exclude=True)  # the guidance may not fit the case
    alert: str = Field(default="", exclude=True)  # whether a caseworker was alerted (channel)
    # What to do until a caseworker reads the message, by what follows it in the same
    # message: "both" (steps and numbers), "steps", "calls" (channel; empty when staffed).
    until_then: dict[str, str] = Field(default_factory=dict, exclude=True)
    _trace: Trace | None = PrivateAttr(default=None)

    @property
    def trace(self) -> Trace | None:
        """What the advisor found and judged (bot.advisor.trace); None if built elsewhere."""
        return self._trace

    def traced(self, trace: Trace) -> Answer:
        self._trace = trace
        return self
