"""Read and check the document kinds: ``documents/*.yaml``, one kind a file.

Like the rest of the knowledge folder, nothing here raises for what is in a file:
every problem is recorded with file, line and field, and a kind with an error is
left out, so a half-written kind can never decide what a photographed paper is.
What is checked, beyond the shape of each field:

- ``guides`` name published guides (a warning would let an answer cite nothing);
- phrases are Cyrillic, long enough to be found reliably, not given twice, and
  their weights can reach :data:`RECOGNISED_AT` (else the kind is never recognised);
- names and phrases are in English, and in every served language (a warning: the
  English text is shown instead);
- review dates, as for guides.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date
from pathlib import Path

import yaml

from bot.knowledge.document_kinds import (
    MIN_PHRASE_CHARS,
    RECOGNISED_AT,
    DocumentKind,
    DocumentKinds,
    KeyPhrase,
)
from bot.knowledge.fields import Fields, closest
from bot.knowledge.files import read_text, relative
from bot.knowledge.frontmatter import Malformed, compose_yaml, line_of
from bot.knowledge.languages import LANGUAGES
from bot.knowledge.models import Problem
from bot.knowledge.russian_text import fold, has_cyrillic, has_latin

FOLDER = "documents"
FIELDS = (
    "kind",
    "dangerous",
    "name",
    "guides",
    "phrases",
    "status",
    "reviewed_by",
    "reviewed_on",
    "review_due",
)
STATUSES = ("published", "draft")
SUFFIXES = (".yaml", ".yml")
_SNAKE = re.compile(r"[a-z]+(?:_[a-z]+)*")


def load_document_kinds(
    root: Path, guide_ids: Collection[str], languages: Collection[str], today: date
) -> DocumentKinds:
    """Every kind under ``root/documents``.

    ``guide_ids``: the ids of the published guides a kind may cite; ``languages``:
    the served languages a name or phrase should be translated into.
    """
    found = DocumentKinds()
    folder = root / FOLDER
    if not folder.is_dir():
        found.problems.append(
            Problem(FOLDER, 1, None, "no documents/ folder: photographed papers will "
                    "never be recognised", "warning")
        )
        return found
    first_file: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = relative(path, root)
        if path.name.startswith("."):
            continue
        if path.parent != folder or path.suffix not in SUFFIXES:
            found.problems.append(
                Problem(rel, 1, None, "not read: document kinds are documents/*.yaml", "warning")
            )
            continue
        kind = _load_file(path, rel, guide_ids, languages, today, first_file, found.problems)
        if kind is not None:
            found.kinds[kind.kind] = kind
    found.problems.sort(key=lambda p: (p.path, p.line))
    return found


def _load_file(
    path: Path,
    rel: str,
    guide_ids: Collection[str],
    languages: Collection[str],
    today: date,
    first_file: dict[str, str],
    problems: list[Problem],
) -> DocumentKind | None:
    text = read_text(path, rel, problems)
    if text is None:
        return None
    node = compose_yaml(text)
    if isinstance(node, Malformed):
        problems.append(Problem(rel, node.line, None, node.message))
        return None
    if not isinstance(node, yaml.MappingNode):
        line = line_of(node) if node is not None else 1
        problems.append(Problem(rel, line, None, "must be one kind: 'kind: ...' and its fields"))
        return None
    f = Fields(node, path=rel, problems=problems, known=FIELDS, required=FIELDS)

    kind = f.text("kind")
    if kind is not None:
        if not _SNAKE.fullmatch(kind):
            f.problem("kind", f"'{kind}' must be lowercase words joined by '_', "
                      "e.g. military_contract")
        elif kind in first_file:
            f.problem("kind", f"'{kind}' is already described in {first_file[kind]}")
        else:
            first_file[kind] = rel
    dangerous = f.boolean("dangerous")
    names = _translations(f, "name", languages)
    guides = f.text_list("guides", example="[papers-to-sign, pressured-to-sign]", nonempty=True)
    for guide, line in guides or []:
        if guide not in guide_ids:
            hint = closest(guide, guide_ids)
            hint = f" (did you mean '{hint}'?)" if hint else ""
            f.problem("guides", f"no published guide '{guide}'{hint}", line=line)
    phrases = _phrases(f, languages)
    status = f.choice("status", STATUSES)
    f.text("reviewed_by")
    reviewed_on = f.date("reviewed_on")
    review_due = f.date("review_due")
    if reviewed_on and reviewed_on > today:
        f.problem("reviewed_on", f"{reviewed_on} is in the future", "warning")
    if review_due and review_due < today:
        f.problem("review_due", f"the review was due on {review_due}: review this kind",
                  "warning")
    if reviewed_on and review_due and review_due < reviewed_on:
        f.problem("review_due", f"{review_due} is before reviewed_on ({reviewed_on})")

    if f.errors:
        return None
    assert kind and dangerous is not None and names and guides and phrases and status
    return DocumentKind(
        kind=kind,
        dangerous=dangerous,
        names=names,
        phrases=phrases,
        guides=tuple(g for g, _ in guides),
        status="draft" if status == "draft" else "published",
        path=rel,
    )


def _translations(f: Fields, key: str, languages: Collection[str]) -> dict[str, str] | None:
    """A mapping of language codes to texts, with English required."""
    node = f.node(key)
    if not isinstance(node, yaml.MappingNode):
        if f.given(key):
            f.problem(key, f"'{key}' must be one line per language, e.g. '  en: ...'")
        return None
    t = f.nested(node, known=LANGUAGES, required=("en",), prefix=f"{key}.")
    texts = {lang: t.text(lang) for lang in LANGUAGES if t.given(lang)}
    _missing_languages(f, key, t.line, texts, languages, skip=())
    return {k: v for k, v in texts.items() if v} if texts.get("en") else None


def _missing_languages(
    f: Fields,
    key: str,
    line: int,
    texts: dict[str, str | None],
    languages: Collection[str],
    skip: Collection[str],
) -> None:
    missing = [lang for lang in languages if lang not in texts and lang not in skip]
    if missing and "en" in texts:
        message = f"no {', '.join(missing)}: the English text is shown instead"
        f.problem(key, message, "warning", line=line)


def _phrases(f: Fields, languages: Collection[str]) -> tuple[KeyPhrase, ...] | None:
    node = f.node("phrases")
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        if f.given("phrases"):
            f.problem("phrases", "'phrases' must be a list of entries, each '- ru: ...'")
        return None
    phrases: list[KeyPhrase] = []
    seen: dict[str, int] = {}
    for item in node.value:
        if not isinstance(item, yaml.MappingNode):
            f.problem("phrases", "each phrase must have 'ru:', 'weight:' and 'en:'",
                      line=line_of(item))
            continue
        p = f.nested(item, known=(*LANGUAGES, "weight"), required=("ru", "weight", "en"),
                     prefix="phrases.")
        text, weight = p.text("ru"), _weight(p)
        folded = _check_phrase(p, text, seen)
        texts = {lang: p.text(lang) for lang in LANGUAGES if lang != "ru" and p.given(lang)}
        _missing_languages(f, "phrases", p.line, texts, languages, skip=("ru",))
        if text and folded and weight is not None and texts.get("en"):
            translations = {k: v for k, v in texts.items() if v}
            phrases.append(KeyPhrase(text, folded, weight, translations, p.line))
    total = sum(p.weight for p in phrases)
    if phrases and total < RECOGNISED_AT:
        f.problem("phrases", f"the weights add up to {total:g}: below {RECOGNISED_AT:g} this "
                  "kind can never be recognised")
    return tuple(phrases) if phrases else None


def _weight(p: Fields) -> float | None:
    raw = p.text("weight")
    if raw is None:
        return None
    try:
        weight = float(raw)
    except ValueError:
        weight = -1.0
    if not 0 < weight <= 1:
        p.problem("weight", f"'{raw}' must be a number above 0 and at most 1 "
                  "(1: the phrase alone decides the kind)")
        return None
    return weight


def _check_phrase(p: Fields, text: str | None, seen: dict[str, int]) -> str | None:
    """The phrase folded for matching, or None (with a problem) if it cannot be used."""
    if text is None:
        return None
    if not has_cyrillic(text) or has_latin(text):
        p.problem("ru", f"'{text}' must be written in Cyrillic letters only, as on the paper")
        return None
    folded = fold(text)
    if len(folded) < MIN_PHRASE_CHARS:
        p.problem("ru", f"'{text}' is too short to find reliably in a photo: give at least "
                  f"{MIN_PHRASE_CHARS} letters, e.g. the words around it")
        return None
    if folded in seen:
        p.problem("ru", f"'{text}' is already a phrase of this kind (line {seen[folded]})")
        return None
    seen[folded] = p.line_of("ru")
    return folded
