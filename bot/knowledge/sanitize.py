"""Make a guide's Markdown body safe to show: reject active content, strip hidden content.

Guides are written by NGO editors but may be pasted from web pages or e-mails, and
their text ends up in a web chat and in messages to people in danger. So:

* active content (``<script``, ``<style``, ``<iframe``, ``<object``, ``<embed``,
  ``javascript:`` URLs, ``on...=`` event handlers) is an **error**: the file is
  rejected, because silently removing it would hide that someone tried;
* any other HTML tag or comment is **stripped** with a warning: the text stays;
* invisible characters (zero-width, bidi controls, soft hyphen) are **stripped**
  with a warning: they can hide or reorder text, e.g. make a phone number read
  differently from what is stored. A leading byte-order mark is dropped silently.

Line numbers in findings are 1-based and relative to the given text. Stripping
keeps every newline, so a line of the result is the same line of the input.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from bot.knowledge.models import Severity

BOM = "\ufeff"

_DANGEROUS = re.compile(
    r"(?P<tag><\s*(?:script|style|iframe|object|embed)\b)"
    r"|(?P<js>\b(?:java|vb)script\s*:)"
    # An event handler only counts inside a tag: "on=" in prose is harmless.
    r"|(?P<handler><[a-z][a-z0-9-]*[\s/][^<>]*?(?<=[\s/\"'])on[a-z]+\s*=)",
    re.IGNORECASE,
)

_INVISIBLE_CHARS = (
    "\u00ad"  # soft hyphen
    "\u200b-\u200f"  # zero-width space, joiners, LRM, RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u2069"  # bidi isolates
    "\ufeff"  # zero-width no-break space (a BOM anywhere but the start)
)

INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_JOINERS = "\u200c\u200d"  # zero-width non-joiner and joiner


def _joins_letters(text: str, start: int, end: int) -> bool:
    """True for one joiner between two letters or marks: Devanagari, Arabic and Persian
    spell with them (a half form is consonant, virama, joiner), so they are text there."""
    if end - start != 1 or text[start] not in _JOINERS or start == 0 or end >= len(text):
        return False
    return all(unicodedata.category(ch)[0] in "LM" for ch in (text[start - 1], text[end]))


def first_hidden(text: str) -> str | None:
    """The first invisible or direction-changing character that is not part of a word."""
    for m in INVISIBLE.finditer(text):
        if not _joins_letters(text, m.start(), m.end()):
            return m.group()
    return None

# One pass, left to right: a comment wins over the tags inside it.
_STRIP = re.compile(
    r"(?P<comment><!--.*?-->)"
    r"|(?P<open_comment><!--)"  # never closed: drop the marker, keep the text visible
    r"|(?P<tag></?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>)"
    rf"|(?P<invisible>[{_INVISIBLE_CHARS}]+)",
    re.DOTALL,
)
_ACTIVE_CLOSING = re.compile(r"</\s*(?:script|style|iframe|object|embed)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    line: int
    message: str
    severity: Severity


@dataclass(frozen=True)
class SanitizeResult:
    text: str
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


class _Lines:
    """Offset -> 1-based line, by binary search over the newline offsets."""

    def __init__(self, text: str):
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED CHARACTER')}"


def _short(s: str, limit: int = 40) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def sanitize(text: str) -> SanitizeResult:
    """Return the text with hidden content stripped, and what was found (errors reject it)."""
    if text.startswith(BOM):
        # Offsets shift by one but no newline is removed, so lines are unchanged.
        text = text[1:]
    line_of = _Lines(text)
    findings: list[Finding] = []
    rejected: list[int] = []  # offsets of errors: their tags need no second, "removed" line

    for m in _DANGEROUS.finditer(text):
        rejected.append(m.start())
        kind = m.lastgroup
        if kind == "tag":
            what = f"active HTML is not allowed ({_short(m.group())}...)"
        elif kind == "js":
            what = f"script URLs are not allowed ({_short(m.group())})"
        else:
            what = "HTML event handlers (on...=) are not allowed"
        findings.append(Finding(line_of(m.start()), what, "error"))

    def strip(m: re.Match[str]) -> str:
        kind, found, line = m.lastgroup, m.group(), line_of(m.start())
        i = bisect.bisect_left(rejected, m.start())
        if kind == "tag" and (
            (i < len(rejected) and rejected[i] < m.end()) or _ACTIVE_CLOSING.match(found)
        ):
            pass
        elif kind == "invisible" and _joins_letters(text, m.start(), m.end()):
            return found
        elif kind == "invisible":
            names = ", ".join(dict.fromkeys(_char_name(ch) for ch in found))
            findings.append(Finding(line, f"removed invisible character {names}", "warning"))
        elif kind == "comment":
            findings.append(Finding(line, "removed HTML comment", "warning"))
        elif kind == "open_comment":
            findings.append(Finding(line, "removed '<!--' (comment never closed)", "warning"))
        else:
            findings.append(Finding(line, f"removed HTML tag {_short(found)}", "warning"))
        return "\n" * found.count("\n")

    cleaned = _STRIP.sub(strip, text)
    findings.sort(key=lambda f: (f.line, f.severity != "error"))
    return SanitizeResult(cleaned, tuple(dict.fromkeys(findings)))
