"""The knowledge folder's vocabulary: guidance documents, passages, referrals, problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

# Where the knowledge folder's problems are defined (bot.errors: KnowledgeError carries them).
from bot.errors import Problem as Problem
from bot.errors import Severity as Severity

REFERRAL_KINDS = ("hotline", "embassy", "ngo", "un", "legal", "other")
CONTACT_FIELDS = ("phone", "whatsapp", "email", "web")


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
    verified_on: date
    notes: str | None
    path: str
    line: int

    def contacts(self) -> list[str]:
        return [v for v in (self.phone, self.whatsapp, self.email, self.web) if v]


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
