"""A generated knowledge folder: 400 guides x 5 sections = 2,000 passages, deterministic.

The text is recombined from the starter knowledge, one language at a time, so
it reads like guidance and embeds like guidance. Every guide carries unique
tokens (its number and an invented place name) in its title, headings and
sections, so no two passages are the same text and none is served from
another's cached vector. Referral ids come from the starter registry, which is
copied along, so the folder passes `bot knowledge check` as it is.

Bump ``GENERATOR_VERSION`` whenever the output changes on purpose.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.chunker import split_passages
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import Document, Passage

GENERATOR_VERSION = "1"
DOCUMENTS = 400
SECTIONS = 5
SEED = 20261129
SECTION_CHARS = 700  # below the chunker's 1,200, so one section is one passage

_SENTENCE_END = re.compile(r"(?<=[.!?…。؟])\s+")
# Markdown or HTML syntax would change how a recombined sentence is parsed.
_UNSAFE = re.compile(r"[<>`*_\[\]#|\\]|https?:")
_SYLLABLES = (
    "ka ri mo len sa vo ta bel dra nis or vel ush ma te lo zan pir go ha "
    "ost run mer kel ya dun sor vik ela bar"
).split()


@dataclass(frozen=True)
class Generated:
    root: Path
    documents: int
    digest: str  # of the generator version and every file written


def place_name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _sentences(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        for s in _SENTENCE_END.split(line.strip()):
            s = s.strip()
            if 25 <= len(s) <= 260 and s[0].isalpha() and not _UNSAFE.search(s):
                out.append(s)
    return out


def _section(
    rng: random.Random, base: Passage, pool: list[Passage], heading: str, tag: str
) -> str:
    own = _sentences(base.text)
    rng.shuffle(own)
    other = _sentences(rng.choice(pool).text) + _sentences(rng.choice(pool).text)
    rng.shuffle(other)
    chosen: list[str] = []
    size = 0
    for s in own[:4] + other[:3]:
        if size + len(s) > SECTION_CHARS:
            break
        chosen.append(s)
        size += len(s) + 1
    if not chosen:  # a base passage of lists or tables only: borrow from the pool
        chosen = [s for p in pool for s in _sentences(p.text)][:1]
    first, rest = chosen[:2], chosen[2:]
    body = " ".join(first) + f" ({tag})"
    if rest:
        body += "\n\n" + " ".join(rest)
    return f"## {heading}\n{body}\n"


def _guide(
    rng: random.Random, n: int, doc: Document, pool: list[Passage], referrals: list[str]
) -> tuple[str, str]:
    """(relative path, text) of guide number ``n``, modelled on the starter ``doc``."""
    place = place_name(rng)
    doc_id = f"bench-{n:04d}-{place.lower()}"
    title = f"{doc.title} ({place}, {n:04d})"
    picks = split_passages(doc)[:SECTIONS] + rng.sample(pool, SECTIONS)
    sections = []
    for k, passage in enumerate(picks[:SECTIONS], start=1):
        head = passage.section.split(" > ")[-1]
        sections.append(
            _section(rng, passage, pool, f"{head} ({place} {n:04d}.{k})", f"{place} {n:04d}/{k}")
        )
    front = "\n".join(
        [
            "---",
            f"id: {doc_id}",
            f"title: {json.dumps(title, ensure_ascii=False)}",
            f"lang: {doc.lang}",
            f"countries: [{', '.join(doc.countries)}]",
            f"topics: [{', '.join(doc.topics)}]",
            f"referrals: [{', '.join(sorted(rng.sample(referrals, 3)))}]",
            "sources:",
            f"  - title: Synthetic benchmark source {n:04d}",
            f"    url: https://example.org/bench/{n:04d}",
            "status: published",
            "reviewed_by: bench/corpus.py (synthetic text for benchmarks, not advice)",
            "reviewed_on: 2025-06-01",
            "review_due: 2099-06-01",
            "---",
        ]
    )
    return f"guides/{doc.lang}/{doc_id}.md", front + "\n" + "\n".join(sections)


def generate(starter: Path, dest: Path, documents: int = DOCUMENTS) -> Generated:
    """Write the folder at ``dest`` (replaced if present) from the ``starter`` knowledge."""
    knowledge = load_knowledge(starter)
    docs = sorted(knowledge.published, key=lambda d: (d.lang, d.id))
    by_lang: dict[str, list[Passage]] = {}
    for d in docs:
        by_lang.setdefault(d.lang, []).extend(split_passages(d))
    referrals = sorted(knowledge.referrals)

    rng = random.Random(SEED)
    order = docs[:]
    rng.shuffle(order)
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "referrals").mkdir(parents=True)
    digest = hashlib.sha256(f"generator {GENERATOR_VERSION}\n".encode())
    for path in sorted((starter / "referrals").glob("*.y*ml")):
        shutil.copy2(path, dest / "referrals" / path.name)
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for n in range(1, documents + 1):
        doc = order[(n - 1) % len(order)]
        rel, text = _guide(rng, n, doc, by_lang[doc.lang], referrals)
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        digest.update(rel.encode() + b"\0" + text.encode())
    return Generated(root=dest, documents=documents, digest=digest.hexdigest())
