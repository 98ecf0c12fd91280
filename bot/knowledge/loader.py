"""Load and check a knowledge folder: guides under ``guides/``, contacts under ``referrals/``.

:func:`load_knowledge` never raises for what is *in* the folder: it reads every
file, records every problem it finds (so an editor fixes them all in one round),
and returns only the documents without errors, so a broken guide can never be
served. Warnings (a review date that has passed, stripped HTML) do not hold a
document back.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import yaml

from bot.knowledge.chunker import has_text
from bot.knowledge.fields import Fields, closest, is_kebab
from bot.knowledge.files import decode, read_bytes, relative
from bot.knowledge.frontmatter import Malformed, line_of, parse_front_matter
from bot.knowledge.languages import COUNTRIES, LANGUAGES
from bot.knowledge.models import (
    CONDITIONS,
    GUIDE_ROLES,
    REVIEWERS,
    Document,
    Knowledge,
    Problem,
    Source,
)
from bot.knowledge.referral_translations import missing_translations
from bot.knowledge.registry import Registry, load_registry
from bot.knowledge.sanitize import sanitize
from bot.knowledge.style import check_style
from bot.knowledge.translations import body_version, check_folder

GUIDE_FIELDS = (
    "id",
    "title",
    "lang",
    "countries",
    "topics",
    "referrals",
    "sources",
    "status",
    "reviewed_by",
    "reviewed_on",
    "review_due",
)
OPTIONAL_GUIDE_FIELDS = (
    "role", "nationalities", "translated_from", "awaiting_review", "questions", "condition",
)
# ``questions:``: what a reader would type to find the guide, matched question to
# question when guides are ranked (bot/index/signals.py). Short, and a handful.
MAX_QUESTIONS = 12
MAX_QUESTION_CHARS = 200
SOURCE_FIELDS = ("title", "url", "date")
STATUSES = ("published", "draft")


def load_knowledge(root: Path, today: date | None = None) -> Knowledge:
    """Read and check the whole folder; ``today`` decides which review dates have passed."""
    today = today or date.today()
    knowledge = Knowledge(root=root)
    problems = knowledge.problems
    if not root.is_dir():
        problems.append(Problem(".", 1, None, f"the knowledge folder '{root}' does not exist"))
        return knowledge
    registry = load_registry(root, today, problems)
    knowledge.referrals = registry.referrals
    first_of: dict[tuple[str, str], str] = {}  # (id, lang) -> path that has it first
    for path in _guide_files(root, problems):
        doc = _load_guide(path, relative(path, root), today, registry, first_of, problems)
        if doc is not None:
            style = check_style(doc)
            problems.extend(style)
            if not any(p.severity == "error" for p in style):
                knowledge.documents.append(doc)
    problems.extend(check_folder(knowledge.documents))
    problems.extend(missing_translations(knowledge.referrals.values(), knowledge.documents))
    # Stable: problems of one line keep the order in which they were found.
    problems.sort(key=lambda p: (p.path, p.line))
    return knowledge


def _guide_files(root: Path, problems: list[Problem]) -> list[Path]:
    folder = root / "guides"
    if not folder.is_dir():
        problems.append(Problem("guides", 1, None, "no guides/ folder: there is nothing to serve"))
        return []
    guides = []
    for path in sorted(folder.rglob("*")):
        rel = relative(path, root)
        if not path.is_file() or any(part.startswith(".") for part in rel.split("/")):
            continue
        if path.suffix == ".md":
            guides.append(path)
        else:
            # Nothing lost silently: a guide saved as .markdown or .txt would never be served.
            problems.append(Problem(rel, 1, None, "not read: guides are .md files", "warning"))
    return guides


def _load_guide(
    path: Path,
    rel: str,
    today: date,
    registry: Registry,
    first_of: dict[tuple[str, str], str],
    problems: list[Problem],
) -> Document | None:
    data = read_bytes(path, rel, problems)
    text = None if data is None else decode(data, rel, problems)
    if data is None or text is None:
        return None
    fm = parse_front_matter(text)
    if isinstance(fm, Malformed):
        problems.append(Problem(rel, fm.line, None, fm.message))
        return None
    f = Fields(
        fm.node,
        path=rel,
        problems=problems,
        known=(*GUIDE_FIELDS, *OPTIONAL_GUIDE_FIELDS),
        required=GUIDE_FIELDS,
    )

    doc_id = f.text("id")
    if doc_id is not None and not is_kebab(doc_id):
        f.problem("id", f"'{doc_id}' must be lowercase words joined by '-', e.g. passport-taken")
    title = f.text("title")
    lang = f.code("lang", LANGUAGES, "language code")
    folder = rel.split("/")
    if lang and len(folder) > 2 and folder[1] in LANGUAGES and folder[1] != lang:
        f.problem("lang", f"lang is '{lang}' but the file is in guides/{folder[1]}/", "warning")
    countries = f.codes("countries", COUNTRIES, "country code", "[RU] or [ANY]")
    topics = f.text_list("topics", example="[visa, students]")
    referrals = f.text_list("referrals", example="[embassy-finder, iom-ru-hotline]")
    for ref, line in referrals or []:
        if ref not in registry.defined:
            hint = closest(ref, registry.defined)
            hint = f" (did you mean '{hint}'?)" if hint else ""
            f.problem("referrals", f"no referral '{ref}' in the registry{hint}", line=line)
    sources = _sources(f)
    status = f.choice("status", STATUSES)
    reviewed_by = f.text("reviewed_by")
    reviewed_on = f.date("reviewed_on")
    review_due = f.date("review_due")
    if reviewed_on and reviewed_on > today:
        f.problem("reviewed_on", f"{reviewed_on} is in the future", "warning")
    if review_due and review_due < today:
        f.problem("review_due", f"the review was due on {review_due}: review the guide", "warning")
    if reviewed_on and review_due and review_due < reviewed_on:
        f.problem("review_due", f"{review_due} is before reviewed_on ({reviewed_on})")
    role = f.choice("role", GUIDE_ROLES) if f.given("role") else None
    condition = f.choice("condition", CONDITIONS) if f.given("condition") else None
    nationalities = (
        f.codes("nationalities", COUNTRIES, "country code", "[KE, UG] or [ANY]")
        if f.given("nationalities")
        else ("ANY",)
    )
    translated_from = f.text("translated_from", optional=True)
    if translated_from is not None and lang == "en":
        f.problem("translated_from", "an English guide is the original: remove translated_from")
    awaiting = f.text_list("awaiting_review", example="[legal, native-speaker]") or []
    for who, line in awaiting:
        if who not in REVIEWERS:
            f.problem(
                "awaiting_review",
                f"'{who}' is not a reviewer: use {' or '.join(REVIEWERS)}",
                line=line,
            )
    questions = _questions(f)
    if doc_id and lang:
        first = first_of.setdefault((doc_id, lang), rel)
        if first != rel:
            f.problem("id", f"'{doc_id}' in '{lang}' is already used by {first}")

    body = _body(f, fm.body, fm.body_line)

    if f.errors:
        return None
    assert doc_id and title and lang and countries and status and reviewed_by  # no errors
    assert topics is not None and referrals is not None and sources is not None
    assert reviewed_on and review_due and body and nationalities
    return Document(
        id=doc_id,
        title=title,
        lang=lang,
        countries=countries,
        topics=tuple(t for t, _ in topics),
        referrals=tuple(r for r, _ in referrals),
        sources=sources,
        status="draft" if status == "draft" else "published",  # narrowed for the type checker
        reviewed_by=reviewed_by,
        reviewed_on=reviewed_on,
        review_due=review_due,
        body=body,
        path=rel,
        body_line=fm.body_line,
        checksum=hashlib.sha256(data).hexdigest(),
        role=role,
        condition=condition,
        nationalities=nationalities,
        translated_from=translated_from,
        awaiting_review=tuple(who for who, _ in awaiting),
        questions=questions,
        body_version=body_version(body),
        field_lines=tuple(
            (k, f.line_of(k)) for k in (*GUIDE_FIELDS, *OPTIONAL_GUIDE_FIELDS) if f.given(k)
        ),
    )


def _questions(f: Fields) -> tuple[str, ...]:
    """The editors' example questions: a list of distinct, short, non-empty texts."""
    if not f.given("questions"):
        return ()
    example = '["my passport was taken what do i do", "..."]'
    if f.node("questions") is None:  # "questions:" with nothing after it
        f.problem("questions", f"'questions' must be a list of texts, e.g. questions: {example}")
        return ()
    items = f.text_list("questions", example=example, nonempty=True)
    if items is None:
        return ()
    if len(items) > MAX_QUESTIONS:
        f.problem("questions", f"{len(items)} example questions: keep at most {MAX_QUESTIONS}, "
                  "the ones readers ask most")
    seen: dict[str, int] = {}
    for text, line in items:
        if len(text) > MAX_QUESTION_CHARS:
            f.problem("questions", f"an example question of {len(text)} characters: keep each "
                      f"under {MAX_QUESTION_CHARS}, as a reader would type it", line=line)
        key = " ".join(text.casefold().split())
        if key in seen:
            f.problem("questions", f"'{text}' is given twice (first on line {seen[key]})",
                      line=line)
        seen.setdefault(key, line)
    return tuple(text for text, _ in items)


def _sources(f: Fields) -> tuple[Source, ...] | None:
    node = f.node("sources")
    if node is None:
        if f.given("sources"):  # "sources:" with nothing after it
            f.problem("sources", "'sources' must be a list of entries, each with a title")
        return None
    if not isinstance(node, yaml.SequenceNode):
        f.problem("sources", "'sources' must be a list of entries, e.g. '- title: ...'")
        return None
    sources = []
    for item in node.value:
        if not isinstance(item, yaml.MappingNode):
            f.problem(
                "sources",
                "each source must have 'title:' (and may have url, date)",
                line=line_of(item),
            )
            continue
        s = f.nested(item, known=SOURCE_FIELDS, required=("title",), prefix="sources.")
        title = s.text("title")
        url = s.url("url", optional=True)
        when = s.date("date", optional=True)
        if title:
            sources.append(Source(title=title, url=url, date=when))
    return tuple(sources)


def _body(f: Fields, raw: str, body_line: int) -> str | None:
    """The sanitized body, with each finding reported at its line of the file."""
    if not raw.strip():
        f.problem(
            "body", "the body is empty: write the guidance below the front matter", line=body_line
        )
        return None
    result = sanitize(raw)
    for finding in result.findings:
        f.problem("body", finding.message, finding.severity, line=body_line + finding.line - 1)
    if not has_text(result.text):
        f.problem("body", "the body has no text, only headings or markup", line=body_line)
        return None
    return result.text
