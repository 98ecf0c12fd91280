"""The triage folder (``prompts/triage/<lang>.yaml``) read with clear errors.

Each file holds one language: the words that define the three levels, for the
people who edit them and for caseworkers, and the example messages of each
level that the classifier learns from::

    definitions:
      urgent: "..."
      sensitive: "..."
      routine: "..."
    cues:                      # optional: words weighed beside a message's meaning
      now: ["now", "tonight", ...]        # happening now or within hours
      here: ["i'm in", ...]               # in the place of danger
      held: ["can't leave", ...]          # cannot leave, being taken somewhere
      forced: ["or else", ...]            # made to sign or act now
      harm: ["bleeding", ...]             # hurt now, or wanting to die
      past: ["last week", "ago", ...]     # over, or long ago
      general: ["what if", ...]           # what could happen, people in general
      other: ["my brother", ...]          # someone else
    urgent: ["they locked us in the dorm", ...]
    sensitive: [...]
    routine: [...]

Every mistake is reported with file, line and field, all at once; nothing is
dropped silently (an empty example is an error, not a skipped line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import BotError
from bot.knowledge.languages import LANGUAGES
from bot.knowledge.models import Problem

LEVELS = ("urgent", "sensitive", "routine")  # most to least severe
# The kinds of cue words (``features.py``): the first five say it is happening now.
IMMEDIATE = ("now", "here", "held", "forced", "harm")
CUE_KINDS = (*IMMEDIATE, "past", "general", "other")
FIELDS = ("definitions", "cues", *LEVELS)


class TriageDataError(BotError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("the triage examples have errors:\n" + "\n".join(map(str, problems)))


@dataclass(frozen=True)
class Example:
    text: str
    level: str
    lang: str
    path: str
    line: int


@dataclass(frozen=True)
class TriageData:
    definitions: dict[str, dict[str, str]]  # language -> level -> words
    examples: list[Example]
    cues: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # lang -> kind -> cues


def read_triage(directory: Path) -> TriageData:
    """Every ``*.yaml`` file of ``directory``; raises ``TriageDataError`` naming each problem."""
    problems: list[Problem] = []
    definitions: dict[str, dict[str, str]] = {}
    cues: dict[str, dict[str, list[str]]] = {}
    examples: list[Example] = []
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    if not files:
        raise TriageDataError([Problem(str(directory), 1, None, "no triage files (<lang>.yaml)")])
    for path in files:
        found = _read_file(path, problems)
        if found is not None:
            definitions[path.stem], cues[path.stem] = found[0], found[1]
            examples.extend(found[2])
    _contradictions(examples, problems)
    if not problems:
        for level in LEVELS:
            if not any(e.level == level for e in examples):
                problems.append(Problem(str(directory), 1, level, f"no `{level}` examples at all"))
    if problems:
        raise TriageDataError(problems)
    return TriageData(definitions, examples, cues)


def _read_file(
    path: Path, problems: list[Problem]
) -> tuple[dict[str, str], dict[str, list[str]], list[Example]] | None:
    where = str(path)
    lang = path.stem
    if lang not in LANGUAGES:
        problems.append(Problem(where, 1, None, f"`{lang}` is not an ISO 639-1 language code"))
        return None
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        problems.append(Problem(where, line, None, f"cannot read the file: {exc}"))
        return None
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        problems.append(Problem(where, line, None, "expected a mapping: definitions, "
                                                   "urgent, sensitive, routine"))
        return None
    nodes: dict[str, yaml.Node] = {}
    for key, value in root.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else str(key)
        if name not in FIELDS:
            problems.append(Problem(where, key.start_mark.line + 1, name,
                                    f"unknown field; expected one of {', '.join(FIELDS)}"))
        else:
            nodes[name] = value
    definitions = _definitions(where, root, nodes.get("definitions"), problems)
    cues = _cues(where, nodes.get("cues"), problems)
    examples: list[Example] = []
    for level in LEVELS:
        node = nodes.get(level)
        if node is None:
            problems.append(Problem(where, root.start_mark.line + 1, level,
                                    f"missing: a list of {level} example messages"))
            continue
        examples.extend(_examples(where, lang, level, node, problems))
    return definitions, cues, examples


def _text(node: yaml.Node) -> str | None:
    """The text of a scalar that YAML reads as a string (not a number, a date or null)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    value = yaml.safe_load(yaml.serialize(node))
    return value.strip() if isinstance(value, str) else None


def _definitions(
    where: str, root: yaml.Node, node: yaml.Node | None, problems: list[Problem]
) -> dict[str, str]:
    if node is None:
        problems.append(Problem(where, root.start_mark.line + 1, "definitions",
                                "missing: the words that define urgent, sensitive and routine"))
        return {}
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(where, node.start_mark.line + 1, "definitions",
                                "expected a mapping of urgent, sensitive, routine to text"))
        return {}
    out: dict[str, str] = {}
    for key, value in node.value:
        name = f"definitions.{key.value}"
        if key.value not in LEVELS:
            problems.append(Problem(where, key.start_mark.line + 1, name,
                                    f"unknown level; expected one of {', '.join(LEVELS)}"))
            continue
        text = _text(value)
        if not text:
            problems.append(Problem(where, value.start_mark.line + 1, name, "must be a text"))
            continue
        out[key.value] = text
    for level in LEVELS:
        if level not in out and not any(k.value == level for k, _ in node.value):
            problems.append(Problem(where, node.start_mark.line + 1, f"definitions.{level}",
                                    "missing"))
    return out


def _cues(where: str, node: yaml.Node | None, problems: list[Problem]) -> dict[str, list[str]]:
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(where, node.start_mark.line + 1, "cues",
                                f"expected a mapping of {', '.join(CUE_KINDS)} to lists of words"))
        return {}
    out: dict[str, list[str]] = {}
    for key, value in node.value:
        name = f"cues.{key.value}"
        if key.value not in CUE_KINDS:
            problems.append(Problem(where, key.start_mark.line + 1, name,
                                    f"unknown kind; expected one of {', '.join(CUE_KINDS)}"))
            continue
        if not isinstance(value, yaml.SequenceNode):
            problems.append(Problem(where, value.start_mark.line + 1, name,
                                    "expected a list of words or phrases"))
            continue
        out[key.value] = []
        for i, item in enumerate(value.value):
            text = _text(item)
            if not text:
                problems.append(Problem(where, item.start_mark.line + 1, f"{name}[{i}]",
                                        "a cue must be a non-empty text (quote it)"))
            else:
                out[key.value].append(text)
    return out


def _examples(
    where: str, lang: str, level: str, node: yaml.Node, problems: list[Problem]
) -> list[Example]:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(where, node.start_mark.line + 1, level,
                                "expected a list of example messages"))
        return []
    out: list[Example] = []
    for i, item in enumerate(node.value):
        line = item.start_mark.line + 1
        text = _text(item)
        if not text:
            problems.append(Problem(where, line, f"{level}[{i}]",
                                    "an example must be a non-empty text (quote it)"))
            continue
        out.append(Example(text, level, lang, where, line))
    return out


def _contradictions(examples: list[Example], problems: list[Problem]) -> None:
    """The same message twice in a file is a slip; under two levels it is a contradiction.
    (Two languages may share a message of the same level: "ok thanks", "namaste".)"""
    seen: dict[str, Example] = {}
    for e in examples:
        key = " ".join(e.text.casefold().split())
        first = seen.get(key)
        if first is None:
            seen[key] = e
            continue
        if first.level == e.level and first.path != e.path:
            continue
        what = ("also listed" if first.level == e.level
                else f"contradicts the {first.level} example")
        problems.append(Problem(e.path, e.line, e.level,
                                f"{what} at {first.path}:{first.line}: {e.text!r}"))
