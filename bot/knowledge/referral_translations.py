"""A referral's name and warning in other languages: ``translations:`` in the registry.

    translations:
      ru: {name: "Горячая линия ...", warning: "..."}
      fr: {name: "Ligne d'urgence ..."}

A user answered in Russian then reads the Russian name and warning on every
channel; a language without one gets the English. Only ``name`` and ``warning``
are translated: the contacts, hours and notes stay exactly as the registry has
them. A ``warning`` is translated only where the entry has an English
``warning`` (a translation must not say more than the entry), and it has the
same length limit, since it goes out by SMS with the contact.

:func:`missing_translations` warns (never errors) when an entry someone in
danger is given (an urgent one) or one with a warning has no name or warning in
a served language that has guides: its reader would get the English.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml

from bot.knowledge.fields import Fields, did_you_mean
from bot.knowledge.frontmatter import line_of
from bot.knowledge.languages import LANGUAGES
from bot.knowledge.models import TRANSLATED_FIELDS, Document, Problem, Referral, Translation
from bot.text.languages import SERVED

FIELD = "translations"
EXAMPLE = 'translations: {ru: {name: "...", warning: "..."}}'


def read_translations(f: Fields, warning: str | None, max_chars: int) -> tuple[Translation, ...]:
    """The entry's ``translations``, each problem reported with its line and field
    (``translations.ru.name``); a block with an error is left out."""
    node = f.node(FIELD)
    if node is None:
        return ()
    if not isinstance(node, yaml.MappingNode):
        f.problem(FIELD, f"'{FIELD}' must give languages with a name and warning, e.g. {EXAMPLE}")
        return ()
    found: list[Translation] = []
    seen: dict[str, int] = {}
    for key_node, block in node.value:
        lang = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
        line, field = line_of(key_node), f"{FIELD}.{lang}"
        if lang in seen:
            f.problem(field, f"'{lang}' is given twice (first on line {seen[lang]})", line=line)
            continue
        seen[lang] = line
        if lang == "en":
            f.problem(field, "English is the entry's own 'name' and 'warning': translations "
                      "are for other languages", line=line)
            continue
        if lang not in LANGUAGES:
            f.problem(field, f"unknown language code '{lang}'{did_you_mean(lang, LANGUAGES)}: "
                      "use ISO 639-1, e.g. ru, fr, sw", line=line)
            continue
        if not isinstance(block, yaml.MappingNode) or not block.value:
            f.problem(field, f"'{lang}' must give a name, a warning or both, e.g. "
                      f'{lang}: {{name: "..."}}', line=line)
            continue
        one = _block(f, lang, block, warning, max_chars)
        if one is not None:
            found.append(one)
    return tuple(found)


def _block(f: Fields, lang: str, block: yaml.MappingNode, warning: str | None,
           max_chars: int) -> Translation | None:
    t = f.nested(block, known=TRANSLATED_FIELDS, required=(), prefix=f"{FIELD}.{lang}.")
    errors = t.errors
    name = t.text("name") if t.given("name") else None
    local_warning = t.text("warning") if t.given("warning") else None
    if local_warning is not None and warning is None:
        t.problem("warning", "the entry has no English 'warning': a translation must not say "
                  "more than the entry. Add the warning in English first, or remove this one")
    if local_warning is not None and len(local_warning) > max_chars:
        t.problem("warning", f"the warning has {len(local_warning)} characters: keep it under "
                  f"{max_chars} (it is sent by SMS with the contact)")
    if t.errors > errors:
        return None
    return Translation(lang, name, local_warning)


def served_with_guides(documents: Iterable[Document]) -> list[str]:
    """The languages users are answered in that have a published guide, English aside."""
    have = {d.lang for d in documents if d.published}
    return [lang for lang in SERVED if lang in have and lang != "en"]


def missing_translations(referrals: Iterable[Referral],
                         documents: Iterable[Document]) -> list[Problem]:
    """A warning for each urgent entry, or entry with a warning, whose name or warning is
    not translated into a served language that has guides."""
    langs = served_with_guides(documents)
    problems = []
    for r in referrals:
        if not (r.urgent or r.warning):
            continue
        names = [lang for lang in langs if not (r.translation(lang) or Translation(lang)).name]
        warnings = [lang for lang in langs if r.warning
                    and not (r.translation(lang) or Translation(lang)).warning]
        gaps = [f"no name in {', '.join(names)}"] if names else []
        gaps += [f"no warning in {', '.join(warnings)}"] if warnings else []
        if gaps:
            what = "urgent referral" if r.urgent else "referral with a warning"
            problems.append(Problem(
                r.path, r.line, FIELD,
                f"{what} '{r.id}' has {' and '.join(gaps)}: a reader of those languages gets "
                "the English. Add them under 'translations'", "warning"))
    return problems
