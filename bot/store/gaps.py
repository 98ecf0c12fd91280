"""Knowledge gaps: the questions the assistant failed, grouped by what they ask for.

A gap is a stored question (already redacted) that got ``no_answer`` because no
guidance answered it, or that a caseworker marked as not helpful. A request
refused as off-topic or an empty message is no gap in the knowledge, unless a
caseworker said the refusal did not help. Editors read the groups to decide what to
write next, so paraphrases of one need, in any language, should land in one
group, and different needs in different groups.

Grouping embeds the questions with the runtime's embedder in the E5 *query*
role and joins them by average-linkage agglomerative clustering on cosine
similarity (scipy): two groups merge while the mean similarity between their
members is at least :data:`GROUP_THRESHOLD`. Average linkage (not single
linkage) keeps one borderline pair from chaining two topics together.

Vectors are kept in memory only (never in the embedding cache on disk): user
text stays out of everything but the conversation store, whose retention and
erasure rules it follows.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.store.models import AskedQuestion, Feedback


class Embedder(Protocol):
    """What grouping needs of ``bot.index.embedders.Embedder`` (stated here: the index
    reads the shared database through ``bot/store``, so the store imports nothing of it)."""

    key: str

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]: ...

# Mean cosine similarity (raw, E5 query role, multilingual-e5-small 4-bit) at
# which two groups of questions are one need. Chosen on 50 hand-written
# questions in en, fr, ru, ar, pt and ne: 14 needs written as 2-5 paraphrases
# (visa refused unless an army contract is signed, passport kept by the
# employer, unpaid wages, eviction from the dormitory, job offers from
# recruiters on social media, a brother gone silent, bank account, tax, ...)
# and 4 one-off questions. Translations of one question score 0.81-0.88 with
# this model, while two unrelated questions in one language can score 0.90, so
# no pairwise cut separates them; average linkage on the mixed pool does:
# at 0.875 no unrelated questions were grouped and 6 of the 58 paraphrase pairs
# stayed apart (mostly a Russian or Arabic wording standing alone). 0.87 merged
# "visa refused unless I sign" with "evicted unless I sign"; 0.88 split the
# unpaid-wage paraphrases. A split need shows up twice, which an editor
# notices; a merge hides a topic, so the threshold errs on the side of
# splitting. Known limit: a few short, unrelated questions in one language can
# still group together when nothing else in the period is close to them.
# Other embedders score on other scales: with MiniLM this value only splits more.
GROUP_THRESHOLD = 0.875
MAX_QUESTIONS = 500  # the most recent ones; grouping cost grows with the square
MAX_EXAMPLES = 5
MAX_COMMENTS = 10
EMBED_BATCH = 64
NOT_HELPFUL = "marked not helpful"
# No-answer reasons that say nothing about the knowledge: an off-topic request
# refused on purpose, an empty message.
NOT_GAPS = ("refused_request", "empty_question")


@dataclass(frozen=True)
class Gap:
    """One failed question, as the page may show it (no sender id, no user id)."""

    id: int
    text: str
    lang: str | None
    channel: str
    reasons: tuple[str, ...]  # the no_answer reason and/or NOT_HELPFUL
    comments: tuple[str, ...]  # the comments of negative feedback
    created_at: datetime


@dataclass
class GapGroup:
    gaps: list[Gap] = field(default_factory=list)  # newest first

    @property
    def count(self) -> int:
        return len(self.gaps)

    @property
    def latest(self) -> datetime:
        return max(g.created_at for g in self.gaps)

    @property
    def languages(self) -> list[str]:
        return _by_frequency(g.lang or "?" for g in self.gaps)

    @property
    def channels(self) -> list[str]:
        return _by_frequency(g.channel for g in self.gaps)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        return Counter(r for g in self.gaps for r in g.reasons).most_common()

    @property
    def examples(self) -> list[Gap]:
        """Up to MAX_EXAMPLES questions, newest first, without repeating a text."""
        seen: set[str] = set()
        out = []
        for gap in self.gaps:
            key = " ".join(gap.text.lower().split())
            if key not in seen:
                seen.add(key)
                out.append(gap)
            if len(out) == MAX_EXAMPLES:
                break
        return out

    @property
    def comments(self) -> list[str]:
        return [c for g in self.gaps for c in g.comments][:MAX_COMMENTS]


def _by_frequency(values: Iterable[str]) -> list[str]:
    return [v for v, _ in Counter(values).most_common()]


# Reading the store.


def find_gaps(session: Session, since: datetime, limit: int = MAX_QUESTIONS) -> list[Gap]:
    """Questions since ``since`` without an answer or with negative feedback, newest first."""
    negative = select(Feedback.question_id).where(
        Feedback.helpful.is_(False), Feedback.created_at >= since
    )
    unanswered = (
        (AskedQuestion.status == "no_answer")
        & (AskedQuestion.created_at >= since)
        & or_(AskedQuestion.reason.is_(None), AskedQuestion.reason.not_in(NOT_GAPS))
    )
    rows = session.scalars(
        select(AskedQuestion)
        .where(or_(unanswered, AskedQuestion.id.in_(negative)))
        .order_by(AskedQuestion.created_at.desc(), AskedQuestion.id.desc())
        .limit(limit)
    ).all()
    ids = [q.id for q in rows]
    comments: dict[int, list[str]] = {}
    flagged: set[int] = set()
    if ids:
        for fb in session.scalars(
            select(Feedback)
            .where(Feedback.question_id.in_(ids), Feedback.helpful.is_(False))
            .order_by(Feedback.created_at.desc())
        ):
            flagged.add(fb.question_id)
            if fb.comment and fb.comment.strip():
                comments.setdefault(fb.question_id, []).append(fb.comment.strip())
    gaps = []
    for q in rows:
        reasons = []
        if q.status == "no_answer":
            reasons.append(f"no answer: {q.reason}" if q.reason else "no answer")
        if q.id in flagged:
            reasons.append(NOT_HELPFUL)
        gaps.append(Gap(q.id, q.text, q.lang, q.channel, tuple(reasons),
                        tuple(comments.get(q.id, ())), q.created_at))
    return gaps


# Grouping.


def cluster(vectors: np.ndarray, threshold: float = GROUP_THRESHOLD) -> list[list[int]]:
    """Average-linkage agglomerative clustering on cosine similarity.

    Returns lists of row indexes; each list is in increasing order and the lists
    are ordered by their first index. Quadratic memory: fine for the few hundred
    questions of a period.
    """
    # Imported here: scipy costs a running service about 30 MiB, needed only on this page.
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    n = len(vectors)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    # Groups merge while their mean cosine distance is at most 1 - threshold.
    tree = linkage(pdist(np.asarray(vectors, dtype=np.float64), "cosine"), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    return sorted(groups.values(), key=lambda m: m[0])


class QueryVectors:
    """Query-role vectors of question texts, batched, remembered in memory only."""

    def __init__(self, capacity: int = 4 * MAX_QUESTIONS) -> None:
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def __call__(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        model = embedder.key
        keys = [hashlib.sha256(f"{model}\0{t}".encode()).hexdigest() for t in texts]
        with self._lock:
            known = {k: self._memo[k] for k in keys if k in self._memo}
        missing = list(dict.fromkeys(
            (k, t) for k, t in zip(keys, texts, strict=True) if k not in known
        ))
        for start in range(0, len(missing), EMBED_BATCH):
            chunk = missing[start : start + EMBED_BATCH]
            vectors = embedder.embed_queries([t for _, t in chunk])
            known.update((k, np.asarray(v, dtype=np.float32))
                         for (k, _), v in zip(chunk, vectors, strict=True))
        with self._lock:
            for k in keys:
                self._memo[k] = known[k]
                self._memo.move_to_end(k)
            while len(self._memo) > self._capacity:
                self._memo.popitem(last=False)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([known[k] for k in keys])


query_vectors = QueryVectors()


def group_gaps(gaps: Sequence[Gap], embedder: Embedder,
               threshold: float = GROUP_THRESHOLD) -> list[GapGroup]:
    """The gaps grouped by similar need: biggest groups first, then the most recent."""
    if not gaps:
        return []
    vectors = query_vectors(embedder, [g.text for g in gaps])
    groups = [GapGroup(sorted((gaps[i] for i in idx), key=lambda g: g.created_at,
                              reverse=True))
              for idx in cluster(vectors, threshold)]
    groups.sort(key=lambda g: (g.count, g.latest), reverse=True)
    return groups
