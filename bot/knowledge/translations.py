"""Checks across the guides of a folder: translations in step with their English
original (and for the same side of a signature, ``condition:``), and at most one
first-steps guide per language.

A translation records which version of the English body it was made from
(``translated_from:``, the short hash below). When the English body changes, the
hash no longer matches and the translation is listed as stale, so an editor knows
which translations to bring up to date. Front-matter edits (review dates) do not
change the hash: only what a reader sees does.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence

from bot.knowledge.models import Document, Problem

ORIGINAL_LANG = "en"
VERSION_CHARS = 12


def body_version(body: str) -> str:
    """A short, stable fingerprint of a guide's (sanitized) body."""
    normalised = "\n".join(line.rstrip() for line in body.strip().splitlines())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:VERSION_CHARS]


def stale_translations(documents: Sequence[Document]) -> list[tuple[Document, Document]]:
    """(translation, English original) pairs whose original changed since translation."""
    originals = {d.id: d for d in documents if d.lang == ORIGINAL_LANG}
    pairs = []
    for doc in documents:
        original = originals.get(doc.id)
        if doc.lang == ORIGINAL_LANG or original is None or doc.translated_from is None:
            continue
        if doc.translated_from != original.body_version:
            pairs.append((doc, original))
    return pairs


def check_folder(documents: Sequence[Document]) -> list[Problem]:
    return [*_translation_problems(documents), *_role_problems(documents),
            *_condition_problems(documents)]


def _condition_problems(documents: Sequence[Document]) -> list[Problem]:
    """A translation is for the same side of a signature as its English original
    (``condition:``): otherwise a reader who signed is told "do not sign" in one language."""
    originals = {d.id: d for d in documents if d.lang == ORIGINAL_LANG}
    problems = []
    for doc in documents:
        english = originals.get(doc.id)
        if doc.lang == ORIGINAL_LANG or english is None or doc.condition == english.condition:
            continue
        says = f"condition: {english.condition}" if english.condition else "no condition"
        problems.append(Problem(
            doc.path, doc.line_of("condition"), "condition",
            f"the English original ({english.path}) says {says}; "
            f"this translation says {doc.condition or 'none'}: make them the same",
        ))
    return problems


def _translation_problems(documents: Sequence[Document]) -> list[Problem]:
    originals = {d.id: d for d in documents if d.lang == ORIGINAL_LANG}
    problems = []
    for doc, original in stale_translations(documents):
        problems.append(Problem(
            doc.path, doc.line_of("translated_from"), "translated_from",
            f"the English original ({original.path}) changed since this translation was made "
            f"(translated from {doc.translated_from}, the English is now "
            f"{original.body_version}): update the translation, then set translated_from: "
            f"{original.body_version}",
            "warning",
        ))
    for doc in documents:
        english = originals.get(doc.id)
        if doc.lang != ORIGINAL_LANG and english is not None and doc.translated_from is None:
            problems.append(Problem(
                doc.path, 1, "translated_from",
                f"say which English version this translates: add translated_from: "
                f"{english.body_version} if it matches {english.path} today",
                "warning",
            ))
    return problems


def _role_problems(documents: Sequence[Document]) -> list[Problem]:
    first_steps: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        if doc.role == "first-steps" and doc.published:
            first_steps[doc.lang].append(doc)
    problems = []
    for lang, docs in sorted(first_steps.items()):
        for extra in docs[1:]:
            problems.append(Problem(
                extra.path, extra.line_of("role"), "role",
                f"a second first-steps guide in '{lang}' (the first is {docs[0].path}): "
                "urgent answers can open with only one; remove role from one of them",
            ))
    langs = sorted({d.lang for d in documents if d.published})
    if documents and not first_steps:
        problems.append(Problem(
            "guides", 1, "role",
            "no guide has role: first-steps: urgent answers will have no first steps to "
            "open with (they will quote the closest guidance instead)",
            "warning",
        ))
    elif documents:
        fallback = ORIGINAL_LANG in first_steps
        for lang in langs:
            if lang not in first_steps:
                then = ("open with the English first steps" if fallback
                        else "have no first steps to open with")
                problems.append(Problem(
                    "guides", 1, "role",
                    f"no first-steps guide in '{lang}': urgent answers in that language {then}",
                    "warning",
                ))
    return problems
