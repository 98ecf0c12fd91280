"""Split a guide's Markdown body into passages: the units that are indexed, cited and quoted.

One passage per ``#``/``##``/``###`` section (deeper headings stay inside their
section), in plain text: Markdown markup goes, words stay. A long section is cut at
paragraph boundaries so a passage stays quotable in a short message.

Passage ids are built from the section's heading path, not its position, so editing
one section does not change the ids (and the index entries) of the others.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.knowledge.models import Document, Passage
from bot.text.sentences import ends_sentence, sentence_pieces

MAX_CHARS = 1200  # about two SMS-length paragraphs; longer sections are split
SECTION_LEVELS = ("h1", "h2", "h3")


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def slug(text: str) -> str:
    """Lowercase words joined by '-', accents dropped, other scripts kept as they are."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )
    words = re.sub(r"[\W_]+", "-", bare.lower()).strip("-")
    return words[:80].rstrip("-") or "section"


def _inline_text(token: Token) -> str:
    """The words of an inline token, with link targets kept when they differ from the text."""
    out: list[str] = []
    links: list[tuple[str, int]] = []  # (target, where the link text starts in out)
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append(" ")
        elif child.type == "hardbreak":
            out.append("\n")
        elif child.type == "image":
            out.append(child.content)  # the alt text
        elif child.type == "link_open":
            links.append((str(child.attrs.get("href", "")), len(out)))
        elif child.type == "link_close" and links:
            href, start = links.pop()
            # A phone number or address behind a link must still reach the reader.
            target = re.sub(r"^(mailto|tel):", "", href)
            shown = "".join(out[start:])
            if re.match(r"(https?|mailto|tel):", href, re.I) and target not in shown:
                out.append(f" ({target})")
    return "".join(out)


def _clean(text: str) -> list[str]:
    """Lines with their whitespace collapsed; blank lines dropped."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if line]


def _as_sentence(line: str) -> str:
    return line if ends_sentence(line) else line + "."


def _sections(tokens: Sequence[Token], title: str) -> Iterator[tuple[str, list[str]]]:
    """(heading path, paragraphs) for each section, in order, empty ones included."""
    path: list[tuple[int, str]] = []  # (level, heading text)
    paragraphs: list[str] = []
    row: list[str] = []
    in_list = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open" and tok.tag in SECTION_LEVELS:
            yield (" > ".join(h for _, h in path) or title), paragraphs
            level = int(tok.tag[1])
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, " ".join(_clean(_inline_text(tokens[i + 1])))))
            paragraphs = []
            i += 3  # heading_open, inline, heading_close
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            in_list += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            in_list -= 1
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            paragraphs.append("; ".join(c for c in row if c))
        elif tok.type == "inline":
            lines = _clean(_inline_text(tok))
            if tokens[i - 1].type in ("th_open", "td_open"):
                row.append(" ".join(lines))
            elif in_list:
                # A list item is a sentence of its own: it must not run into the next one.
                paragraphs.extend(_as_sentence(line) for line in lines)
            else:
                paragraphs.extend(lines)
        elif tok.type in ("fence", "code_block"):
            paragraphs.extend(_clean(tok.content))
        i += 1
    yield (" > ".join(h for _, h in path) or title), paragraphs


def _pieces(paragraph: str) -> list[str]:
    """A paragraph too long for one passage, cut at sentence ends where it has any."""
    if len(paragraph) <= MAX_CHARS:
        return [paragraph]
    pieces: list[str] = []
    for sentence in (piece.strip() for piece in sentence_pieces(paragraph)):
        if pieces and len(pieces[-1]) + 1 + len(sentence) <= MAX_CHARS:
            pieces[-1] += " " + sentence
        else:
            pieces.append(sentence)
    return pieces


def _parts(paragraphs: list[str]) -> list[str]:
    """The section's text, in parts of at most about MAX_CHARS, cut between paragraphs."""
    parts: list[list[str]] = [[]]
    size = 0
    for piece in (p for para in paragraphs for p in _pieces(para)):
        if parts[-1] and size + 1 + len(piece) > MAX_CHARS:
            parts.append([])
            size = 0
        parts[-1].append(piece)
        size += len(piece) + 1
    return ["\n".join(part) for part in parts if part]


def has_text(body: str) -> bool:
    """Whether a body would give at least one passage (not only headings or markup)."""
    return any(paragraphs for _, paragraphs in _sections(_markdown().parse(body), ""))


def split_passages(doc: Document) -> list[Passage]:
    """The document's passages in reading order, each with a stable id."""
    tokens = _markdown().parse(doc.body)
    passages: list[Passage] = []
    used: set[str] = set()
    for section, paragraphs in _sections(tokens, doc.title):
        for text in _parts(paragraphs):
            base = f"{doc.id}:{doc.lang}:{slug(section)}"
            pid, n = base, 1
            while pid in used:
                n += 1
                pid = f"{base}-{n}"
            used.add(pid)
            passages.append(
                Passage(
                    id=pid,
                    doc_id=doc.id,
                    lang=doc.lang,
                    title=doc.title,
                    section=section,
                    text=text,
                    path=doc.path,
                    position=len(passages),
                )
            )
    return passages
