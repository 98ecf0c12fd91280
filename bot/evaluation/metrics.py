"""Retrieval and answer metrics over a question set, overall and per language."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bot.evaluation.questions import EvalQuestion


@dataclass(frozen=True)
class Outcome:
    question: EvalQuestion
    ranked_docs: list[str]  # documents retrieved, best first
    top_similarity: float
    status: str  # what the advisor answered
    cited_docs: list[str]
    urgent: bool
    translated: bool = True  # an expected document exists in the question's language
    triage: str | None = None  # the answer's level: a refused request is routine
    triage_alone: str | None = None  # the triage classifier's level (bot/advisor/triage)
    urgency: float | None = None  # the classifier's urgency score
    cues: tuple[str, ...] = ()  # the kinds of cue words found in the message
    dangers: tuple[str, ...] = ()  # the dangers an urgent answer named
    refused: bool = False  # the advisor refused the request (an instruction, a recruiter)

    @property
    def rank(self) -> int | None:
        """1-based rank of the first expected document, if retrieved."""
        for i, doc in enumerate(self.ranked_docs, start=1):
            if doc in self.question.expect_docs:
                return i
        return None


@dataclass
class Scores:
    questions: int = 0
    answerable: int = 0
    hits_at_1: int = 0
    hits_at_5: int = 0
    reciprocal: float = 0.0
    status_right: int = 0
    out_of_scope: int = 0
    out_of_scope_refused: int = 0
    cross_lingual: int = 0  # answerable, and no expected document in the question's language
    cross_lingual_hits_at_5: int = 0
    urgent_true_pos: int = 0
    urgent_false_pos: int = 0
    urgent_false_neg: int = 0
    urgent_judged: int = 0
    misses: list[Outcome] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.questions += 1
        if o.status == o.question.expect_status:
            self.status_right += 1
        if o.question.expect_status == "no_answer":
            self.out_of_scope += 1
            self.out_of_scope_refused += o.status == "no_answer"
        if o.question.expect_urgent is not None:
            self.urgent_judged += 1
            expected = o.question.expect_urgent
            self.urgent_true_pos += expected and o.urgent
            self.urgent_false_pos += (not expected) and o.urgent
            self.urgent_false_neg += expected and not o.urgent
        if o.question.expect_docs and o.question.expect_status == "answered":
            self.answerable += 1
            rank = o.rank
            hit5 = rank is not None and rank <= 5
            if rank == 1:
                self.hits_at_1 += 1
            if hit5:
                self.hits_at_5 += 1
            else:
                self.misses.append(o)
            if rank is not None:
                self.reciprocal += 1.0 / rank
            if not o.translated:
                self.cross_lingual += 1
                self.cross_lingual_hits_at_5 += hit5

    def as_dict(self) -> dict[str, float | int | None]:
        a = self.answerable
        return {
            "questions": self.questions,
            "answerable": a,
            "recall@1": round(self.hits_at_1 / a, 3) if a else None,
            "recall@5": round(self.hits_at_5 / a, 3) if a else None,
            "mrr": round(self.reciprocal / a, 3) if a else None,
            "no_answer_accuracy": round(self.status_right / self.questions, 3)
            if self.questions
            else None,
            "out_of_scope": self.out_of_scope,
            "out_of_scope_refused": self.out_of_scope_refused,
            "cross_lingual": self.cross_lingual,
            "cross_lingual_recall@5": _ratio(self.cross_lingual_hits_at_5, self.cross_lingual),
            "urgent_judged": self.urgent_judged,
            "urgent_recall": _ratio(
                self.urgent_true_pos, self.urgent_true_pos + self.urgent_false_neg
            ),
            "urgent_precision": _ratio(
                self.urgent_true_pos, self.urgent_true_pos + self.urgent_false_pos
            ),
        }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def score(outcomes: list[Outcome]) -> tuple[Scores, dict[str, Scores]]:
    overall = Scores()
    by_lang: dict[str, Scores] = defaultdict(Scores)
    for o in outcomes:
        overall.add(o)
        by_lang[o.question.lang or "?"].add(o)
    return overall, dict(sorted(by_lang.items()))


def calibrate(outcomes: list[Outcome], steps: int = 200) -> tuple[float, float]:
    """The similarity floor that best separates answerable from out-of-scope questions.

    Returns (threshold, accuracy of the answered/no_answer decision at it). A
    question counts as rightly answered only if its expected document was
    retrieved; below the floor every question gets no_answer.
    """
    sims = sorted({round(o.top_similarity, 4) for o in outcomes})
    if not sims:
        return 0.0, 0.0
    lo, hi = sims[0], sims[-1]
    best = (lo, -1.0)
    for i in range(steps + 1):
        t = lo + (hi - lo) * i / steps
        right = sum(
            (o.top_similarity >= t) == (o.question.expect_status == "answered") for o in outcomes
        )
        acc = right / len(outcomes)
        if acc > best[1]:
            best = (t, acc)
    return round(best[0], 4), round(best[1], 3)
