"""The assistant's own words, one editable YAML file per language under ``prompts/strings``.

A key missing from a language falls back to English (``bot knowledge check``
lists such gaps), so an incomplete translation never produces an empty reply.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml

from bot.knowledge.models import Problem

log = logging.getLogger(__name__)

DEFAULT_LANG = "en"


class Strings:
    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._tables: dict[str, dict[str, str]] = {}
        for path in sorted(directory.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ValueError(f"{path}: expected a mapping of keys to texts")
            self._tables[path.stem] = {str(k): str(v) for k, v in data.items() if v is not None}
        if DEFAULT_LANG not in self._tables:
            raise FileNotFoundError(f"{directory / 'en.yaml'} is missing: English is the fallback")

    @property
    def languages(self) -> list[str]:
        return sorted(self._tables)

    def has(self, key: str, lang: str) -> bool:
        """Whether ``lang`` has its own text for ``key`` (not the English fallback)."""
        return key in self._tables.get(lang, {})

    def get(self, key: str, lang: str | None) -> str:
        table = self._tables.get(lang or DEFAULT_LANG, {})
        if key in table:
            return table[key]
        return self._tables[DEFAULT_LANG].get(key, "")

    def missing(self) -> dict[str, list[str]]:
        """Keys each language lacks compared with English."""
        english = set(self._tables[DEFAULT_LANG])
        return {
            lang: sorted(english - set(table))
            for lang, table in self._tables.items()
            if english - set(table)
        }


@lru_cache(maxsize=4)
def load_strings(directory: Path) -> Strings:
    return Strings(directory)


def string_gaps(directory: Path, languages: Iterable[str]) -> list[Problem]:
    """Warnings for the texts a language lacks (English is shown instead), one per key,
    and for a served language without a file."""
    strings = Strings(directory)
    problems = [
        Problem(f"{directory / (lang + '.yaml')}", 1, key,
                f"no {lang} text: the English one is shown instead", "warning")
        for lang, keys in sorted(strings.missing().items())
        for key in keys
    ]
    problems += [
        Problem(f"{directory / (lang + '.yaml')}", 1, None,
                f"missing: every text is shown in English to {lang} users", "warning")
        for lang in languages
        if lang not in strings.languages
    ]
    return problems
