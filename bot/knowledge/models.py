"""The knowledge folder's vocabulary: guidance documents, passages, referrals, problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

# Where the knowledge folder's problems are defined (bot.errors: KnowledgeError carries them).
from bot.errors import Problem as Problem
from bot.errors import Severity as Severity

# ``own`` is the deploying organisation's own line: offered first when present.
REFERRAL_KINDS = ("own", "hotline", "embassy", "government", "ngo", "un", "legal", "other")
# Kinds whose name alone says whom to turn to (an embassy, a home country's ministry):
# shown on WhatsApp even with no number, where a bare name of anything else is not.
NAMED_KINDS = ("embassy", "government")
CONTACT_FIELDS = ("phone", "whatsapp", "telegram", "email", "web")
# Fields through which a person can reach someone: a website alone reaches nobody
# in an emergency, so an urgent entry needs one of these.
REACHABLE_FIELDS = ("phone", "whatsapp", "telegram", "email")
# What a guide's front matter may say about itself (``role:``): the first-steps guide
# opens every urgent answer, whatever its id.
GUIDE_ROLES = ("first-steps",)
# Whom a guide is for, when it is only for one side of a signature (``condition:``): a
# message that says the person already signed never opens with a before-signing guide
# ("do not sign on the spot"), and opens with an after-signing one (bot/advisor/conditions.py).
CONDITIONS = ("before-signing", "after-signing")
# Who still has to review a guide (``awaiting_review:``): shown on the web citation.
REVIEWERS = ("legal", "native-speaker")
# What a referral's ``translations`` may give per language: contacts are never translated.
TRANSLATED_FIELDS = ("name", "warning")


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None = None
    date: date | None = None


@dataclass(frozen=True)
class Document:
    """A guidance document: front matter plus its Markdown body."""

    id: str
    title: str
    lang: str
    countries: tuple[str, ...]
    topics: tuple[str, ...]
    referrals: tuple[str, ...]
    sources: tuple[Source, ...]
    status: Literal["published", "draft"]
    reviewed_by: str
    reviewed_on: date
    review_due: date
    body: str
    path: str  # relative to the knowledge folder, with forward slashes
    body_line: int  # 1-based line of the file where the body starts
    checksum: str  # sha256 of the file's bytes
    role: str | None = None  # "first-steps" or None
    condition: str | None = None  # CONDITIONS: only before, or only after, signing
    nationalities: tuple[str, ...] = ("ANY",)  # whose citizens it is written for
    translated_from: str | None = None  # the English body's version this translates
    awaiting_review: tuple[str, ...] = ()  # "legal", "native-speaker"
    questions: tuple[str, ...] = ()  # editors' example questions (ranking only, never shown)
    body_version: str = ""  # short hash of the body: what translations record
    field_lines: tuple[tuple[str, int], ...] = ()  # front-matter field -> line of the file

    def line_of(self, field_name: str) -> int:
        """The line of the file where a front-matter field is written (1 when unknown)."""
        return dict(self.field_lines).get(field_name, 1)

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def url(self) -> str | None:
        """The first source with a URL: where a reader can check the guidance."""
        return next((s.url for s in self.sources if s.url), None)


@dataclass(frozen=True)
class Passage:
    """A heading-delimited piece of a document: the unit that is indexed and quoted."""

    id: str  # stable: "<doc_id>:<lang>:<section-slug>[-n]"
    doc_id: str
    lang: str
    title: str  # the document's title
    section: str  # the heading path, e.g. "Your rights > A lawyer"
    text: str  # the section's body text, plain
    path: str
    position: int  # 0-based order within the document

    def embedding_text(self) -> str:
        """What is embedded: title and section give the passage its context."""
        return f"{self.title}. {self.section}. {self.text}"


@dataclass(frozen=True)
class Translation:
    """A referral's name and warning in one language (either may be missing)."""

    lang: str
    name: str | None = None
    warning: str | None = None


@dataclass(frozen=True)
class Referral:
    """An entry of the referral registry. Contacts are shown verbatim."""

    id: str
    name: str
    kind: str
    countries: tuple[str, ...]
    nationalities: tuple[str, ...]
    languages: tuple[str, ...]
    phone: str | None
    whatsapp: str | None
    email: str | None
    web: str | None
    hours: str | None
    urgent: bool
    source: str
    verified_on: date  # the day someone saw the source still publish this contact
    notes: str | None  # for editors and caseworkers; never sent on WhatsApp or SMS
    path: str
    line: int
    telegram: str | None = None
    warning: str | None = None  # a short risk every channel shows with the contact
    tested_on: date | None = None  # the day a call or message really reached someone
    # Holding it can itself endanger the user (a phone a commander or recruiter checks):
    # offered only by the guide an answer is about, never as filler, always with ``warning``.
    risky: bool = False
    # The name and warning in other languages (``translations:``), shown in place of the
    # English ones to a user answered in that language.
    translations: tuple[Translation, ...] = ()

    def translation(self, lang: str | None) -> Translation | None:
        return next((t for t in self.translations if t.lang == lang), None)

    def name_in(self, lang: str | None) -> str:
        """The name as a user answered in ``lang`` reads it: its translation, else English."""
        t = self.translation(lang)
        return t.name if t is not None and t.name else self.name

    def warning_in(self, lang: str | None) -> str | None:
        """The warning in ``lang`` when translated, else the English one (None: no warning)."""
        t = self.translation(lang)
        return t.warning if t is not None and t.warning and self.warning else self.warning

    def contacts(self) -> list[str]:
        values = (self.phone, self.whatsapp, self.telegram, self.email, self.web)
        return [v for v in values if v]

    @property
    def reachable(self) -> bool:
        """Whether a person can call or write to it (not only read a website)."""
        return any(getattr(self, f) for f in REACHABLE_FIELDS)


@dataclass
class Knowledge:
    """Everything loaded from a knowledge folder, with the problems found on the way."""

    root: Path
    documents: list[Document] = field(default_factory=list)
    referrals: dict[str, Referral] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def published(self) -> list[Document]:
        return [d for d in self.documents if d.published]
