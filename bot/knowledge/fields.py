"""Typed reads of one YAML mapping (a guide's front matter, a referral entry).

Every bad value becomes a :class:`Problem` with file, line and field, and the read
returns None, so a caller checks every field and reports everything in one go.

Values are read from the *raw text* of YAML scalars, not from what YAML 1.1 would
make of them: ``countries: [NO]`` is Norway, not ``False``; ``lang: no`` is
Norwegian; ``phone: 0123 456`` keeps its leading zero.

Every text value is NFKC-normalised (a full-width digit becomes a digit), and one
holding an invisible or direction-changing character (zero-width space, U+202E, ...)
is an error: such a character can make a phone number or a name read differently
on a phone from what an editor reviewed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Iterable
from datetime import date

import yaml

from bot.knowledge.frontmatter import line_of
from bot.knowledge.models import Problem, Severity
from bot.knowledge.sanitize import first_hidden

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# A host with a dot, then anything without spaces: enough to catch "www.x.org" and typos.
_URL = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?", re.IGNORECASE)
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def closest(word: str, options: Iterable[str]) -> str | None:
    """The option a typo most likely meant, if any is close enough."""
    options = list(options)
    folded = {o.casefold(): o for o in options}
    if word.casefold() in folded:  # "ru" for "RU", "Title" for "title"
        return folded[word.casefold()]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, options: Iterable[str]) -> str:
    guess = closest(word, options)
    return f" (did you mean '{guess}'?)" if guess else ""


def is_url(value: str) -> bool:
    return bool(_URL.fullmatch(value))


def is_kebab(value: str) -> bool:
    return bool(_KEBAB.fullmatch(value))


class Fields:
    """The fields of one mapping node, checked for unknown, missing and repeated names."""

    def __init__(
        self,
        node: yaml.MappingNode,
        *,
        path: str,
        problems: list[Problem],
        known: Collection[str],
        required: Collection[str],
        prefix: str = "",
        context: str = "",
        parent: Fields | None = None,
    ):
        self.path, self.prefix, self.context = path, prefix, context
        self._parent = parent
        self.line = line_of(node)
        self.errors = 0
        self._problems = problems
        self._values: dict[str, yaml.Node] = {}
        self._key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str) or not key:
                self._add(None, "field names must be plain words", line_of(key_node))
            elif key in self._key_lines:
                first = self._key_lines[key]
                self._add(key, f"'{key}' is given twice (first on line {first})", line_of(key_node))
            elif key not in known:
                message = f"unknown field '{key}'{did_you_mean(key, known)}"
                self._add(key, message, line_of(key_node))
            else:
                self._values[key] = value_node
                self._key_lines[key] = line_of(key_node)
        for key in required:
            if key not in self._key_lines:
                self._add(key, f"missing required field '{key}'", self.line)

    # -- reporting ------------------------------------------------------------------

    def _add(self, key: str | None, message: str, line: int, severity: Severity = "error") -> None:
        if severity == "error":
            self.errors += 1
            if self._parent is not None:
                self._parent.errors += 1
        field = f"{self.prefix}{key}" if key else (self.prefix.rstrip(".") or None)
        self._problems.append(Problem(self.path, line, field, self.context + message, severity))

    def problem(
        self, key: str, message: str, severity: Severity = "error", line: int | None = None
    ) -> None:
        self._add(key, message, line or self.line_of(key), severity)

    def nested(
        self,
        node: yaml.MappingNode,
        *,
        known: Collection[str],
        required: Collection[str],
        prefix: str,
    ) -> Fields:
        """The fields of a mapping inside this one; its errors count as this one's too."""
        return Fields(
            node,
            path=self.path,
            problems=self._problems,
            known=known,
            required=required,
            prefix=prefix,
            context=self.context,
            parent=self,
        )

    def given(self, key: str) -> bool:
        return key in self._values

    def line_of(self, key: str) -> int:
        node = self._values.get(key)
        return line_of(node) if node is not None else self._key_lines.get(key, self.line)

    def node(self, key: str) -> yaml.Node | None:
        node = self._values.get(key)
        return None if node is None or node.tag == _NULL else node

    # -- typed reads ----------------------------------------------------------------

    def text(self, key: str, *, optional: bool = False) -> str | None:
        node = self._values.get(key)
        if node is None or node.tag == _NULL:
            if node is not None and not optional:
                self.problem(key, f"'{key}' must not be empty")
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(key, f"'{key}' must be text, not a list or a mapping")
            return None
        value = self._visible(key, node.value, line_of(node))
        if value is None:
            return None
        if not value and not optional:
            self.problem(key, f"'{key}' must not be empty")
        return value or None

    def _visible(self, key: str, raw: str, line: int) -> str | None:
        """The value NFKC-normalised and stripped; None (an error) if it hides characters."""
        hidden = first_hidden(raw)
        if hidden:
            code = f"U+{ord(hidden):04X}"
            name = unicodedata.name(hidden, "invisible character")
            self.problem(
                key,
                f"'{key}' holds an invisible or direction-changing character ({code} "
                f"{name.lower()}): retype the value",
                line=line,
            )
            return None
        return unicodedata.normalize("NFKC", raw).strip()

    def text_list(self, key: str, *, example: str = "[a, b]", nonempty: bool = False):
        """A YAML list of plain texts; None (with a problem) when it is not one."""
        node = self._values.get(key)
        if node is None:
            return None
        if not isinstance(node, yaml.SequenceNode):
            self.problem(key, f"'{key}' must be a list, e.g. {key}: {example}")
            return None
        items: list[tuple[str, int]] = []
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or item.tag == _NULL or not item.value.strip():
                self.problem(key, f"each item of '{key}' must be plain text", line=line_of(item))
                return None
            value = self._visible(key, item.value, line_of(item))
            if value is None:
                return None
            items.append((value, line_of(item)))
        if nonempty and not items:
            self.problem(key, f"'{key}' must not be empty, e.g. {key}: {example}")
            return None
        return items

    def codes(self, key: str, allowed: Collection[str], what: str, example: str):
        """A list of codes from ``allowed``; unknown codes are reported one by one."""
        items = self.text_list(key, example=example, nonempty=True)
        if items is None:
            return None
        bad = 0
        for code, line in items:
            if code not in allowed:
                bad += 1
                self.problem(
                    key, f"unknown {what} '{code}'{did_you_mean(code, allowed)}", line=line
                )
        return None if bad else tuple(code for code, _ in items)

    def code(self, key: str, allowed: Collection[str], what: str) -> str | None:
        value = self.text(key)
        if value is not None and value not in allowed:
            self.problem(key, f"unknown {what} '{value}'{did_you_mean(value, allowed)}")
            return None
        return value

    def choice(self, key: str, choices: Collection[str]) -> str | None:
        value = self.text(key)
        if value is not None and value not in choices:
            self.problem(key, f"'{key}' must be one of {', '.join(choices)}, not '{value}'")
            return None
        return value

    def date(self, key: str, *, optional: bool = False) -> date | None:
        """A date written YYYY-MM-DD, quoted or not."""
        value = self.text(key, optional=optional)
        if value is None:
            return None
        m = _DATE.fullmatch(value)
        try:
            if m:
                return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            self.problem(key, f"'{value}' is not a real date")
            return None
        self.problem(key, f"'{value}' is not a date: write it as YYYY-MM-DD")
        return None

    def boolean(self, key: str) -> bool | None:
        node = self._values.get(key)
        if node is None:
            return None
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            return node.value.lower() in ("true", "yes", "on", "y")
        self.problem(key, f"'{key}' must be true or false")
        return None

    def url(self, key: str, *, optional: bool = False) -> str | None:
        value = self.text(key, optional=optional)
        if value is not None and not is_url(value):
            self.problem(key, f"'{value}' is not a web address starting with http:// or https://")
            return None
        return value
