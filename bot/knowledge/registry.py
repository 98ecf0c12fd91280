"""Read and check the referral registry: ``referrals/*.yaml`` (and ``.yml``).

Contacts are shown to people in danger exactly as written here, so the checks are
strict: each entry names the page where its contact is published (``source``), when
someone last checked it (``verified_on``), and how to reach it (a contact field, or
``notes`` explaining how to find one). An entry with any error is left out of the
registry, but its id is still remembered so guides that cite it are not *also*
told the id does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from bot.knowledge.fields import Fields, is_kebab
from bot.knowledge.files import read_text, relative
from bot.knowledge.frontmatter import Malformed, compose_yaml, line_of
from bot.knowledge.languages import COUNTRIES, LANGUAGES
from bot.knowledge.models import CONTACT_FIELDS, REFERRAL_KINDS, Problem, Referral

REQUIRED = (
    "id",
    "name",
    "kind",
    "countries",
    "nationalities",
    "languages",
    "urgent",
    "source",
    "verified_on",
)
OPTIONAL = (*CONTACT_FIELDS, "hours", "notes")
SUFFIXES = (".yaml", ".yml")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@dataclass
class Registry:
    referrals: dict[str, Referral] = field(default_factory=dict)
    # Every id met, valid or not, with where it was first defined.
    defined: dict[str, tuple[str, int]] = field(default_factory=dict)


def load_registry(root: Path, today: date, problems: list[Problem]) -> Registry:
    """Read every registry file under ``root/referrals``, appending problems found."""
    registry = Registry()
    folder = root / "referrals"
    if not folder.is_dir():
        problems.append(
            Problem(
                "referrals",
                1,
                None,
                "no referrals/ folder: answers will carry no contacts",
                "warning",
            )
        )
        return registry
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = relative(path, root)
        if path.name.startswith("."):
            continue
        if path.parent != folder or path.suffix not in SUFFIXES:
            problems.append(
                Problem(rel, 1, None, "not read: the registry is referrals/*.yaml", "warning")
            )
            continue
        _load_file(path, rel, today, registry, problems)
    return registry


def _load_file(
    path: Path, rel: str, today: date, registry: Registry, problems: list[Problem]
) -> None:
    text = read_text(path, rel, problems)
    if text is None:
        return
    node = compose_yaml(text)
    if isinstance(node, Malformed):
        problems.append(Problem(rel, node.line, None, node.message))
        return
    if node is None:
        problems.append(Problem(rel, 1, None, "the file has no entries", "warning"))
        return
    if not isinstance(node, yaml.SequenceNode):
        problems.append(
            Problem(rel, line_of(node), None, "must be a list of entries, each starting '- id:'")
        )
        return
    for item in node.value:
        if not isinstance(item, yaml.MappingNode):
            message = "each entry must be a set of 'field: value' lines"
            problems.append(Problem(rel, line_of(item), None, message))
            continue
        referral = _entry(item, rel, today, registry, problems)
        if referral is not None:
            registry.referrals[referral.id] = referral


def _peek_id(node: yaml.MappingNode) -> str | None:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "id":
            return value.value if isinstance(value, yaml.ScalarNode) else None
    return None


def _entry(
    node: yaml.MappingNode, rel: str, today: date, registry: Registry, problems: list[Problem]
) -> Referral | None:
    peek = _peek_id(node)
    f = Fields(
        node,
        path=rel,
        problems=problems,
        known=(*REQUIRED, *OPTIONAL),
        required=REQUIRED,
        context=f"referral '{peek}': " if peek else "",
    )

    ref_id = f.text("id")
    if ref_id is not None:
        if not is_kebab(ref_id):
            f.problem("id", f"'{ref_id}' must be lowercase words joined by '-'")
        if ref_id in registry.defined:
            where, line = registry.defined[ref_id]
            f.problem("id", f"this id is already used in {where}:{line}")
        else:
            registry.defined[ref_id] = (rel, f.line)

    name = f.text("name")
    kind = f.choice("kind", REFERRAL_KINDS)
    countries = f.codes("countries", COUNTRIES, "country code", "[RU] or [ANY]")
    nationalities = f.codes("nationalities", COUNTRIES, "country code", "[IN, NP] or [ANY]")
    languages = f.codes("languages", LANGUAGES, "language code", "[ru, en]")
    urgent = f.boolean("urgent")
    source = f.url("source")
    verified_on = f.date("verified_on")
    if verified_on is not None and verified_on > today:
        f.problem("verified_on", f"{verified_on} is in the future")

    phone = f.text("phone", optional=True)
    whatsapp = f.text("whatsapp", optional=True)
    email = f.text("email", optional=True)
    if email is not None and not _EMAIL.fullmatch(email):
        f.problem("email", f"'{email}' does not look like an e-mail address")
    web = f.url("web", optional=True)
    hours = f.text("hours", optional=True)
    notes = f.text("notes", optional=True)
    if not any(f.node(k) for k in CONTACT_FIELDS) and not f.node("notes"):
        f.problem(
            "notes",
            "no phone, whatsapp, email or web: give one, or explain in 'notes' how to find it",
            line=f.line,
        )

    if f.errors:
        return None
    assert ref_id and name and kind and source and verified_on  # guaranteed by f.errors == 0
    assert countries and nationalities and languages and urgent is not None
    return Referral(
        id=ref_id,
        name=name,
        kind=kind,
        countries=countries,
        nationalities=nationalities,
        languages=languages,
        phone=phone,
        whatsapp=whatsapp,
        email=email,
        web=web,
        hours=hours,
        urgent=urgent,
        source=source,
        verified_on=verified_on,
        notes=notes,
        path=rel,
        line=f.line,
    )
