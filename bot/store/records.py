"""What the assistant did: replies sent back, the outcome of each question, caseworkers' verdicts.

The channels record here (WhatsApp and SMS replies, every question with its
status and cited documents; the web chat's questions too); the caseworkers'
inbox reads the replies back as part of a conversation, and the
knowledge-gaps page reads the questions that went unanswered or that a
caseworker marked as not helpful (``record_feedback``). Text is stored
redacted. Rows that concern a WhatsApp or SMS user carry their ``sender_id``,
so DELETE and retention erase them with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select

from bot.store.db import Database
from bot.store.models import AskedQuestion, Feedback, Reply, utcnow
from bot.store.redact import redact

MAX_QUESTION_CHARS = 2000


class Records:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record_reply(self, sender_id: str, channel: str, bodies: Sequence[str],
                     author: str = "assistant", user_id: int | None = None,
                     outbox_key: str | None = None) -> int | None:
        """What was sent back to a sender (the parts of one reply, as one row); its id.

        ``outbox_key``: a caseworker's reply names its outbox row, whose state the
        inbox shows."""
        text = "\n\n".join(b for b in bodies if b)
        if not text:
            return None
        with self.db.session() as s:
            row = Reply(sender_id=sender_id, channel=channel, body=text, author=author,
                        user_id=user_id, outbox_key=outbox_key)
            s.add(row)
            s.flush()
            return int(row.id)

    def record_question(self, channel: str, text: str, *, sender_id: str | None = None,
                        user_id: int | None = None, lang: str | None = None,
                        country: str | None = None, status: str = "answered",
                        reason: str | None = None, urgent: bool = False,
                        doc_ids: Iterable[str] = ()) -> int:
        """A question and the outcome of its answer (text redacted); the row's id."""
        cited = " ".join(dict.fromkeys(d for d in doc_ids if d))
        with self.db.session() as s:
            row = AskedQuestion(channel=channel, sender_id=sender_id, user_id=user_id,
                                text=redact(text)[:MAX_QUESTION_CHARS], lang=lang,
                                country=country, status=status, reason=reason, urgent=urgent,
                                doc_ids=cited)
            s.add(row)
            s.flush()
            return int(row.id)

    def record_feedback(self, question_id: int, user_id: int, helpful: bool,
                        comment: str | None) -> int | None:
        """A caseworker's verdict on an answer; a second one replaces the first.

        The feedback's id, or None when there is no such question.
        """
        comment = redact(comment.strip()) if comment and comment.strip() else None
        with self.db.session() as s:
            if s.get(AskedQuestion, question_id) is None:
                return None
            row = s.scalars(select(Feedback).where(Feedback.question_id == question_id,
                                                   Feedback.user_id == user_id)).first()
            if row is None:
                row = Feedback(question_id=question_id, user_id=user_id, helpful=helpful,
                               comment=comment)
                s.add(row)
            else:
                row.helpful, row.comment, row.created_at = helpful, comment, utcnow()
            s.flush()
            return int(row.id)
