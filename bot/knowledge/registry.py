"""Read and check the referral registry: ``referrals/*.yaml`` (and ``.yml``).

Contacts are shown to people in danger exactly as written here, so the checks are
strict: each entry names the page where its contact is published (``source``), when
someone last saw that page still publish it (``verified_on``), optionally when a call
or message really reached someone (``tested_on``), and how to reach it (a contact
field, or ``notes`` explaining how to find one). An ``urgent`` entry must be
reachable: a phone, WhatsApp, Telegram or e-mail, because a person in danger cannot
use a bare name or a website. ``warning`` is a short risk that every channel shows
beside the contact; ``notes`` are for editors and caseworkers only;
``translations`` give the name and warning in other languages
(``bot.knowledge.referral_translations``). A ``risky``
entry (a contact that is dangerous to hold on a phone a commander may check) must
carry that ``warning`` and is never urgent. An entry with
any error is left out of the registry, but its id is still remembered so guides
that cite it are not *also* told the id does not exist.
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
from bot.knowledge.models import (
    CONTACT_FIELDS,
    REACHABLE_FIELDS,
    REFERRAL_KINDS,
    Problem,
    Referral,
)
from bot.knowledge.referral_translations import read_translations

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
OPTIONAL = (
    *CONTACT_FIELDS, "hours", "notes", "warning", "tested_on", "risky", "translations"
)
WARNING_MAX_CHARS = 160  # it goes out on SMS with the contact: one short sentence
SUFFIXES = (".yaml", ".yml")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# Digits with the separators people write; "+" only in front. E.164 is recommended,
# local forms such as 8-800-... are accepted because sources print them so.
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{4,}[0-9]")
_TELEGRAM = re.compile(r"@[A-Za-z0-9_]{4,32}|https://t\.me/[A-Za-z0-9_+/-]+")


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

    tested_on = f.date("tested_on", optional=True)
    if tested_on is not None and tested_on > today:
        f.problem("tested_on", f"{tested_on} is in the future")

    phone = _number(f, "phone")
    whatsapp = _number(f, "whatsapp")
    telegram = f.text("telegram", optional=True)
    if telegram is not None and not _TELEGRAM.fullmatch(telegram):
        f.problem("telegram", f"'{telegram}' is not a Telegram @name or https://t.me/ link")
    email = f.text("email", optional=True)
    if email is not None and not _EMAIL.fullmatch(email):
        f.problem("email", f"'{email}' does not look like an e-mail address")
    web = f.url("web", optional=True)
    hours = f.text("hours", optional=True)
    notes = f.text("notes", optional=True)
    warning = f.text("warning", optional=True)
    if warning is not None and len(warning) > WARNING_MAX_CHARS:
        f.problem(
            "warning",
            f"the warning has {len(warning)} characters: keep it under {WARNING_MAX_CHARS} "
            "(it is sent by SMS with the contact); put the rest in 'notes'",
        )
    translations = read_translations(f, warning, WARNING_MAX_CHARS)
    risky = bool(f.boolean("risky"))
    if risky and warning is None:
        f.problem("risky", "a risky contact needs a 'warning' that says the risk: it is shown "
                  "with the contact on every channel", line=f.line)
    if risky and urgent:
        f.problem("urgent", "a risky contact is never urgent: set urgent: false")
    if not any(f.node(k) for k in CONTACT_FIELDS) and not f.node("notes"):
        f.problem(
            "notes",
            "no phone, whatsapp, telegram, email or web: give one, or explain in 'notes' "
            "how to find it",
            line=f.line,
        )
    if urgent and not any(f.node(k) for k in REACHABLE_FIELDS):
        f.problem(
            "urgent",
            "an urgent contact needs a phone, whatsapp, telegram or email that a person in "
            "danger can use now; a name or a website alone reaches nobody: add one, or set "
            "urgent: false",
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
        telegram=telegram,
        warning=warning,
        tested_on=tested_on,
        risky=risky,
        translations=translations,
    )


def _number(f: Fields, key: str) -> str | None:
    """A phone or WhatsApp number, as printed by its source (kept verbatim)."""
    value = f.text(key, optional=True)
    if value is not None and not _PHONE.fullmatch(value):
        f.problem(
            key,
            f"'{value}' is not a phone number: digits, spaces and - ( ) only, with '+' and "
            "the country code in front for numbers outside Russia (E.164, e.g. +7 495 ...)",
        )
        return None
    if value is not None and not value.startswith("+"):
        f.problem(
            key,
            f"'{value}' is not in international form: from abroad, or from a foreign SIM, "
            "it cannot be dialled. Write it with '+' and the country code (E.164) when the "
            "code is certain, and keep the printed form in 'notes'",
            severity="warning",
        )
    return value
