"""The self-contained record of one index generation.

A generation is served without reading the knowledge folder again: it carries
the passages, the metadata of their documents and the referral registry as they
were when it was built, so an editor's half-saved file never reaches users. It
is a ``snapshot.json`` in the generation's folder, or, for replicas that share a
Chroma server, gzipped rows in the shared database (``bot/index/catalog.py``).
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.index.layout import SNAPSHOT_FILE
from bot.knowledge.models import Document, Passage, Referral, Source, Translation

FORMAT_VERSION = 1


@dataclass(frozen=True)
class DocInfo:
    """What an answer needs to know about a document (not its body)."""

    doc_id: str
    lang: str
    title: str
    path: str
    url: str | None
    countries: tuple[str, ...]
    topics: tuple[str, ...]
    referrals: tuple[str, ...]
    sources: tuple[Source, ...]
    reviewed_on: date
    review_due: date
    awaiting_review: tuple[str, ...] = ()  # "legal", "native-speaker": shown on citations
    role: str | None = None  # "first-steps": the guide urgent answers open with
    condition: str | None = None  # "before-signing", "after-signing" (bot/advisor/conditions.py)
    nationalities: tuple[str, ...] = ("ANY",)  # whose citizens it is written for
    questions: tuple[str, ...] = ()  # editors' example questions (guide ranking only)

    @classmethod
    def of(cls, doc: Document) -> DocInfo:
        return cls(
            doc_id=doc.id,
            lang=doc.lang,
            title=doc.title,
            path=doc.path,
            url=doc.url,
            countries=doc.countries,
            topics=doc.topics,
            referrals=doc.referrals,
            sources=doc.sources,
            reviewed_on=doc.reviewed_on,
            review_due=doc.review_due,
            awaiting_review=doc.awaiting_review,
            role=doc.role,
            condition=doc.condition,
            nationalities=doc.nationalities,
            questions=doc.questions,
        )


@dataclass
class Snapshot:
    generation: str
    embedder: str  # the setting that built it, e.g. "e5"
    embedder_key: str  # the model's stable key
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256 of the file
    documents: list[DocInfo] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT_VERSION,
            "generation": self.generation,
            "embedder": self.embedder,
            "embedder_key": self.embedder_key,
            "files": self.files,
            "documents": [dataclasses.asdict(d) for d in self.documents],
            "passages": [dataclasses.asdict(p) for p in self.passages],
            "referrals": [dataclasses.asdict(r) for r in self.referrals],
        }
        return json.dumps(data, ensure_ascii=False, default=_encode).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes | str) -> Snapshot:
        data = json.loads(raw)
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"unknown index format {data.get('format')!r}; run `bot ingest`")
        return cls(
            generation=data["generation"],
            embedder=data["embedder"],
            embedder_key=data["embedder_key"],
            files=dict(data["files"]),
            documents=[_doc_info(d) for d in data["documents"]],
            passages=[Passage(**p) for p in data["passages"]],
            referrals=[_referral(r) for r in data["referrals"]],
        )

    def to_gzip(self) -> bytes:
        """The snapshot as stored in the shared database."""
        return gzip.compress(self.to_json(), compresslevel=6, mtime=0)

    @classmethod
    def from_gzip(cls, raw: bytes) -> Snapshot:
        return cls.from_json(gzip.decompress(raw))

    def write(self, directory: Path) -> None:
        tmp = directory / (SNAPSHOT_FILE + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(self.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, directory / SNAPSHOT_FILE)

    @classmethod
    def read(cls, directory: Path) -> Snapshot:
        return cls.from_json((directory / SNAPSHOT_FILE).read_bytes())


def _encode(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a snapshot")


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _doc_info(d: dict[str, Any]) -> DocInfo:
    return DocInfo(
        doc_id=d["doc_id"],
        lang=d["lang"],
        title=d["title"],
        path=d["path"],
        url=d["url"],
        countries=tuple(d["countries"]),
        topics=tuple(d["topics"]),
        referrals=tuple(d["referrals"]),
        sources=tuple(
            Source(title=s["title"], url=s.get("url"), date=_date(s.get("date")))
            for s in d["sources"]
        ),
        reviewed_on=date.fromisoformat(d["reviewed_on"]),
        review_due=date.fromisoformat(d["review_due"]),
        awaiting_review=tuple(d.get("awaiting_review", ())),
        role=d.get("role"),  # older generations did not keep it
        condition=d.get("condition"),  # nor this
        # Snapshots written before guides could say whose citizens they are for.
        nationalities=tuple(d.get("nationalities") or ("ANY",)),
        questions=tuple(d.get("questions", ())),  # older snapshots have none
    )


def _referral(r: dict[str, Any]) -> Referral:
    values = dict(r)
    for key in ("countries", "nationalities", "languages"):
        values[key] = tuple(values[key])
    values["verified_on"] = date.fromisoformat(values["verified_on"])
    values["tested_on"] = _date(values.get("tested_on"))
    # Snapshots written before referrals had names and warnings in other languages.
    values["translations"] = tuple(Translation(**t) for t in values.get("translations", ()))
    return Referral(**values)
