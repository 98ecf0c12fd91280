"""Split a guide into its YAML front matter and Markdown body, keeping file line numbers.

The front matter is composed into YAML *nodes*, not loaded into Python values:
nodes carry the line of every key and item, so each problem can point at the
exact line of the file, and one bad value (``review_due: 2026-13-01``) cannot
hide the rest of the front matter the way a failed ``yaml.safe_load`` would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_DELIMITER = re.compile(r"---[ \t]*")
_CLOSING = re.compile(r"(?:---|\.\.\.)[ \t]*")


@dataclass(frozen=True)
class Malformed:
    """Why a text could not be read as YAML (or front matter) at all, and where."""

    line: int
    message: str


@dataclass(frozen=True)
class FrontMatter:
    node: yaml.MappingNode  # marks are 0-based lines of the whole file
    body: str
    body_line: int  # 1-based line of the file where the body starts


def line_of(node: yaml.Node) -> int:
    """The 1-based file line of a node composed by :func:`compose_yaml`."""
    return node.start_mark.line + 1


def compose_yaml(text: str, first_line: int = 1) -> yaml.Node | None | Malformed:
    """Compose YAML text that starts at ``first_line`` of its file; None when empty."""
    # Padding with newlines makes every mark a line of the file, with no arithmetic later.
    padded = "\n" * (first_line - 1) + text
    try:
        return yaml.compose(padded, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else first_line
        what = ": ".join(p for p in (exc.context, exc.problem) if p)
        return Malformed(line, f"invalid YAML: {what}")
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        return Malformed(first_line, f"invalid YAML: {exc}")


def parse_front_matter(text: str) -> FrontMatter | Malformed:
    """Split ``---``-delimited front matter from the body and compose it.

    ``text`` is the whole file with ``\\n`` line ends (a leading BOM is ignored).
    """
    lines = text.removeprefix("\ufeff").split("\n")
    if not lines or not _DELIMITER.fullmatch(lines[0]):
        return Malformed(1, "no front matter: the file must start with a '---' line")
    end = next((i for i in range(1, len(lines)) if _CLOSING.fullmatch(lines[i])), None)
    if end is None:
        return Malformed(1, "front matter is not closed: add a '---' line after it")
    node = compose_yaml("\n".join(lines[1:end]), first_line=2)
    if isinstance(node, Malformed):
        return node
    if not isinstance(node, yaml.MappingNode):
        line = line_of(node) if node is not None else 1
        return Malformed(line, "front matter must be a set of 'field: value' lines")
    return FrontMatter(node=node, body="\n".join(lines[end + 1 :]), body_line=end + 2)
