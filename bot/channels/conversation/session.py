"""The conversation so far, for one sender and one session: what a follow-up, CONTACTS and
MORE need to know.

Kept on the sender's row as JSON (``Conversations.set_session``), redacted like
every stored text, only while the session lasts (``BOT_SESSION_MINUTES``), and
erased with everything else by DELETE.

A follow-up is answered in the light of the previous question: a message that
refers back ("and my brother?", "what if I already signed?") or is short and
names no other situation ("is it legal?") is asked together with the previous
question; one that names a situation of its own starts a new topic.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from bot.channels.conversation.reading import Reading

FOLLOW_UP_WORDS = 6  # a message this short, naming no other situation, continues the last
ACKNOWLEDGEMENT_WORDS = 2  # "ok", "yes please": not a follow-up
MAX_CONTEXT_CHARS = 400  # a chain of follow-ups keeps its latest words


@dataclass
class Session:
    question: str | None = None  # the last question asked, as asked (with its context)
    situation: str | None = None  # the last situation named or chosen from the menu
    lang: str | None = None  # the language of the last reply
    nationality: str | None = None  # from what the user wrote
    location: str | None = None  # Russia, when the user wrote so
    docs: list[str] = field(default_factory=list)  # what the last answer cited
    referrals: list[str] = field(default_factory=list)  # the contacts it gave
    said: list[str] = field(default_factory=list)  # digests of the sentences sent (for MORE)

    @classmethod
    def of(cls, data: dict[str, Any]) -> Session:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        try:
            return cls(**values)
        except TypeError:
            return cls()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def noted(self, reading: Reading) -> None:
        """What a message says about the person (nationality, where they are)."""
        self.nationality = reading.nationality or self.nationality
        self.location = reading.location or self.location

    def follows(self, reading: Reading) -> bool:
        """Is this message a follow-up to the previous question?"""
        if not self.question or reading.kind in ("choice", "greeting", "thanks", "contacts"):
            return False
        if reading.kind == "filler" and reading.words <= ACKNOWLEDGEMENT_WORDS:
            return False
        if reading.kind in ("vague", "filler"):
            return True
        other = reading.situation is not None and reading.situation != self.situation
        if reading.refers_back and reading.words <= FOLLOW_UP_WORDS:
            return True  # "and my brother?", "what if I already signed?"
        # A longer message that names a situation of its own starts a new topic, however
        # it starts ("They locked us in and will send us to the front tomorrow").
        return not other and (reading.refers_back or reading.words <= FOLLOW_UP_WORDS)

    def in_context(self, text: str, reading: Reading) -> str:
        """The question to ask: the message, after the previous question when it follows it."""
        if not self.follows(reading):
            return text
        joined = f"{self.question} {text}"
        if len(joined) <= MAX_CONTEXT_CHARS:
            return joined
        cut = joined[-MAX_CONTEXT_CHARS:]
        return cut.split(" ", 1)[1] if " " in cut else cut


def digest(sentence: str) -> str:
    """A short fingerprint of a sentence already sent: no text is kept for MORE."""
    return hashlib.sha256(" ".join(sentence.split()).encode()).hexdigest()[:12]
