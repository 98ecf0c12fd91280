"""Hold the scripted conversations of ``conversations.yaml`` through the signed webhook.

Each turn is posted as Twilio posts it (signed with Twilio's RequestValidator,
to the app served by uvicorn with the real runtime); its replies are what came
back in the TwiML plus anything the outbox sent to that number through the local
fake Twilio meanwhile. Each reply is then judged twice: against the turn's own
expectations, and against the rules every reply keeps (``general_problems``).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.advisor.audience import serves
from bot.advisor.check import phones_in
from bot.advisor.strings import load_strings
from bot.channels.commands import load_commands
from bot.channels.conversation.words import load_dialogue
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import Problem
from bot.knowledge.registry import load_registry
from bot.text.patterns import URL
from bot.text.sentences import split_sentences
from tests.app.harness import AppServer, message, twiml_bodies
from tests.channels.twilio_fake import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"\[\d+(?:, ?\d+)*\]")
FRAGMENT_GAP = 0.15  # seconds between fragments of one turn (well within the window)


@dataclass
class Turn:
    send: list[str]
    must: list[str] = field(default_factory=list)
    must_not: list[str] = field(default_factory=list)
    any: list[str] = field(default_factory=list)
    cited: bool | None = None
    silent: bool = False
    replies: int | None = None  # how many of the fragments' webhooks may reply
    fresh: bool = False  # no sentence of the previous turn's replies is said again


@dataclass
class Conversation:
    id: str
    channel: str
    sender: str
    lang: str
    nationality: str | None
    turns: list[Turn]


@dataclass
class Result:
    conversation: Conversation
    transcript: list[tuple[str, list[str]]] = field(default_factory=list)  # (sent, replies)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def load_conversations(path: Path) -> list[Conversation]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for c in data["conversations"]:
        turns = []
        for t in c["turns"]:
            send = t["send"] if isinstance(t["send"], list) else [t["send"]]
            turns.append(Turn([str(s) for s in send], t.get("must", []), t.get("must_not", []),
                              t.get("any", []), t.get("cited"), t.get("silent", False),
                              t.get("replies"), t.get("fresh", False)))
        out.append(Conversation(c["id"], c["channel"], str(c["from"]), c["lang"],
                                c.get("nationality"), turns))
    return out


def _flat(text: str) -> str:
    return " ".join(text.casefold().replace("*", "").split())


class Words:
    """What "@key" means in a language, and what no reply may show a nationality."""

    def __init__(self) -> None:
        self.dialogue = load_dialogue(ROOT / "prompts")
        self.commands = load_commands(ROOT / "prompts")
        self.erasure = load_strings(ROOT / "prompts" / "erasure")  # DELETE's confirmation
        self.safety = load_strings(ROOT / "prompts" / "safety")  # the urgent alert
        problems: list[Problem] = []
        self.registry = load_registry(ROOT / "knowledge", date.today(), problems).referrals
        self.documents = load_knowledge(ROOT / "knowledge").documents
        self.numbers = {v for r in self.registry.values()
                        for v in (r.phone, r.whatsapp, r.telegram) if v}
        # Guides' source addresses (a news headline in the path) that are not also a
        # contact's web address: a phone shows a source's site only.
        webs = {r.web for r in self.registry.values() if r.web}
        self.source_urls = {s.url for d in self.documents for s in d.sources
                            if s.url and s.url not in webs}

    def resolve(self, text: str, lang: str) -> str:
        if not text.startswith("@"):
            return text
        key = text[1:]
        return (self.dialogue.strings.get(key, lang) or self.erasure.get(key, lang)
                or self.commands.reply(key, lang))

    def foreign(self, nationality: str | None) -> list[tuple[str, str]]:
        """(what, name) of contacts and guides written for other nationalities."""
        if nationality is None:
            return []
        out = [("contact", r.name) for r in self.registry.values()
               if not serves(r.nationalities, nationality)]
        out += [("guide", d.title[:24]) for d in self.documents
                if not serves(d.nationalities, nationality)]
        return out


def general_problems(replies: Iterable[str], words: Words, c: Conversation) -> list[str]:
    """The rules every reply keeps, whatever was asked."""
    problems = []
    more_hint = _flat(words.commands.reply("more_hint", c.lang))
    joined = "\n".join(replies)
    for body in replies:
        lines = [line.strip() for line in body.splitlines()]
        if body.rstrip().endswith((":", "：")):
            problems.append(f"a part ends on a colon: ...{body.rstrip()[-60:]!r}")
        for i, line in enumerate(lines):
            if not line.endswith(":") and not (line.startswith("*") and line.endswith("*")):
                continue
            after = next((x for x in lines[i + 1:] if x), "")
            if not after or _flat(after).startswith(more_hint):
                problems.append(f"a heading with nothing under it: {line!r}")
        if re.search(r"(?m)^\s*\d+[.)]\s*$", body):
            problems.append(f"a list number without its item: ...{body.rstrip()[-60:]!r}")
        problems += _pointer_problems(body, words, c.lang)
    seen: set[str] = set()
    for sentence in split_sentences(joined):
        key = _flat(sentence)
        if len(key) >= 25 and key in seen:
            problems.append(f"said twice: {sentence[:70]!r}")
        seen.add(key)
    for phone in phones_in(URL.sub(" ", joined)):  # digits in a source's address are none
        if phone not in words.numbers:
            problems.append(f"a phone number not in the registry: {phone!r}")
    for r in words.registry.values():  # dangerous to hold: never without its warning
        if r.risky and r.name in joined and (r.warning or "") not in joined:
            problems.append(f"a risky contact without its warning: {r.name!r}")
    for url in words.source_urls:
        if url in joined:
            problems.append(f"a source's full address on a phone: {url!r}")
    flat = _flat(joined)
    for what, name in words.foreign(c.nationality):
        if _flat(name) in flat:
            problems.append(f"a {what} for another nationality than {c.nationality}: {name!r}")
    return problems


def _pointer_problems(body: str, words: Words, lang: str) -> list[str]:
    """What to do until a caseworker reads the message ("follow the steps here and call
    the numbers below") points only to steps and numbers that follow in the same body."""
    problems = []
    for key, wants in (("both", "sc"), ("steps", "s"), ("calls", "c")):
        pointer = words.safety.get(f"until_then_{key}", lang)
        at = body.find(pointer) if pointer else -1
        if at < 0:
            continue
        after = body[at + len(pointer):]
        if "s" in wants and not re.search(r"(?m)^\s*1\.\s", after):
            problems.append(f"points to steps that do not follow: {pointer!r}")
        if "c" in wants and not phones_in(URL.sub(" ", after)):
            problems.append(f"points to numbers that do not follow: {pointer!r}")
    return problems


def _sentences(replies: list[str]) -> set[str]:
    """The guidance quoted (sentences with a citation), not the contacts or the notice."""
    quoted = {_flat(CITED.sub("", s)) for s in split_sentences("\n".join(replies))
              if CITED.search(s)}
    return {q for q in quoted if len(q) >= 20}  # not a lone "[1]"


def turn_problems(turn: Turn, replies: list[str], answered: int, words: Words,
                  c: Conversation, before: list[str]) -> list[str]:
    problems = []
    if turn.fresh and (_sentences(replies) & _sentences(before)):
        problems.append("repeats the previous reply")
    text = _flat("\n".join(replies))
    if turn.silent:
        return [f"expected silence, got {len(replies)} replies"] if replies else []
    if not replies:
        return ["no reply"]
    for want in turn.must:
        if _flat(words.resolve(want, c.lang)) not in text:
            problems.append(f"missing {want!r}")
    for unwanted in turn.must_not:
        if _flat(words.resolve(unwanted, c.lang)) in text:
            problems.append(f"contains {unwanted!r}")
    if turn.any and not any(_flat(words.resolve(w, c.lang)) in text for w in turn.any):
        problems.append(f"none of {turn.any!r}")
    if turn.cited is not None and bool(CITED.search(text)) != turn.cited:
        problems.append("quotes guidance" if not turn.cited else "quotes no guidance")
    if turn.replies is not None and answered != turn.replies:
        problems.append(f"{answered} of the fragments' webhooks replied, not {turn.replies}")
    return problems + general_problems(replies, words, c)


def _post(server: AppServer, c: Conversation, body: str, out: list[list[str]], i: int) -> None:
    r = server.post(c.channel, message(body, c.sender, c.channel))
    assert r.status_code == 200, r.text
    out[i] = twiml_bodies(r.text)


def send_turn(server: AppServer, fake: FakeTwilio, c: Conversation,
              turn: Turn) -> tuple[list[str], int]:
    """The turn's replies (inline, then through the outbox) and how many webhooks replied."""
    before = len(fake.sent)
    results: list[list[str]] = [[] for _ in turn.send]
    threads = []
    for i, body in enumerate(turn.send):
        thread = threading.Thread(target=_post, args=(server, c, body, results, i))
        thread.start()
        threads.append(thread)
        time.sleep(FRAGMENT_GAP)
    for thread in threads:
        thread.join(60)
    time.sleep(0.2)  # an answer that missed the deadline leaves through the outbox
    late = [m["body"] for m in fake.sent[before:] if c.sender in str(m.get("to", ""))]
    inline = [b for r in results for b in r]
    return inline + late, sum(1 for r in results if r) + (1 if late else 0)


def hold(server: AppServer, fake: FakeTwilio, c: Conversation, words: Words) -> Result:
    result = Result(c)
    before: list[str] = []
    for n, turn in enumerate(c.turns, start=1):
        replies, answered = send_turn(server, fake, c, turn)
        result.transcript.append((" / ".join(turn.send), replies))
        result.problems += [f"{c.id} turn {n} ({turn.send[-1][:40]!r}): {p}"
                            for p in turn_problems(turn, replies, answered, words, c, before)]
        before = replies
    return result


def transcript(result: Result) -> str:
    lines = [f"### {result.conversation.id} ({result.conversation.channel}, "
             f"{result.conversation.sender[:4]}...)"]
    for sent, replies in result.transcript:
        lines.append(f"> {sent}")
        lines += [f"< {r}".replace("\n", "\n  ") for r in replies] or ["< (nothing)"]
    return "\n".join(lines)


def summary(results: list[Result]) -> dict[str, Any]:
    turns = sum(len(r.conversation.turns) for r in results)
    failed_turns = {p.split(":")[0] for r in results for p in r.problems}
    return {"conversations": len(results), "passed": sum(r.passed for r in results),
            "turns": turns, "turns_passed": turns - len(failed_turns)}
