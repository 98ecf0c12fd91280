"""Answer composers: turn retrieved passages into cited sentences.

``Composer`` is the seam: the embedded default is extractive (no model, no
network, nothing invented: every sentence is copied from a passage); an LLM
composer can implement the same method later, and the final check
(``bot.advisor.check``) holds it to the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.index.lexical import tokenize
from bot.retrieval.retriever import Hit
from bot.text.sentences import INTRO_MARKS, split_sentences


@dataclass(frozen=True)
class Budget:
    """How much answer a channel can carry."""

    sentences: int
    chars: int
    referrals: int


# When the caller does not say: the most a channel carries (the web's).
DEFAULT_BUDGET = Budget(sentences=5, chars=900, referrals=4)


@dataclass(frozen=True)
class ComposedSentence:
    text: str
    sources: tuple[int, ...]  # indexes into the hits given to the composer


class Composer(Protocol):
    def compose(
        self, question: str, hits: Sequence[Hit], budget: Budget
    ) -> list[ComposedSentence]: ...


class ExtractiveComposer:
    """Picks the most relevant sentences of the best passages, keeping their order.

    A sentence's score mixes the rank of its passage, its position in the
    passage (guidance puts the answer first) and the question's words it shares.
    Word overlap only helps when the question is in the passage's language; for a
    cross-lingual question the passage order and position carry the choice.

    Two rules keep the text whole: a sentence that introduces a list ("you can ask
    for help in three places:") goes only with the item after it, else it is
    left out (an answer must never end on a colon); and a sentence said once is
    not said again (guides repeat their key warnings).
    """

    def __init__(
        self, max_passages: int = 3, min_relative_score: float = 0.6, per_passage: int = 3
    ) -> None:
        self.max_passages = max_passages
        self.min_relative_score = min_relative_score
        # A cap per passage lets the second-best passage (often "what to do") speak too.
        self.per_passage = per_passage

    def _passages(self, hits: Sequence[Hit]) -> list[int]:
        if not hits:
            return []
        best = hits[0].score
        chosen = [0]
        for i, hit in enumerate(hits[1:], start=1):
            if len(chosen) >= self.max_passages:
                break
            if hit.score >= best * self.min_relative_score:
                chosen.append(i)
        return chosen

    def compose(
        self, question: str, hits: Sequence[Hit], budget: Budget
    ) -> list[ComposedSentence]:
        words = set(tokenize(question))
        candidates: list[tuple[float, int, int, str]] = []
        for rank, hit_index in enumerate(self._passages(hits)):
            for pos, sentence in enumerate(split_sentences(hits[hit_index].passage.text)):
                if len(sentence) < 12:  # fragments such as a lone "Then:" carry nothing
                    continue
                shared = words & set(tokenize(sentence))
                score = 1.0 / (1 + rank) + 0.6 / (1 + pos) + 0.25 * len(shared)
                candidates.append((score, hit_index, pos, sentence))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))

        by_place = {(hit_index, pos): sentence for _s, hit_index, pos, sentence in candidates}
        picked: list[tuple[int, int, str]] = []
        per_hit: dict[int, int] = {}
        said: set[str] = set()
        used = 0
        for _score, hit_index, pos, sentence in candidates:
            group = [(pos, sentence)]
            if introduces(sentence):  # the introduction and its first item, or neither
                item = by_place.get((hit_index, pos + 1))
                if item is None or _key(item) in said:
                    continue
                group.append((pos + 1, item))
            group = [(p, t) for p, t in group if (hit_index, p, t) not in picked]
            size = sum(len(t) + 1 for _p, t in group)
            if not group or len(picked) + len(group) > budget.sentences:
                continue
            if picked and used + size > budget.chars:
                continue
            if per_hit.get(hit_index, 0) + len(group) > self.per_passage or any(
                    _key(t) in said for _p, t in group):
                continue
            per_hit[hit_index] = per_hit.get(hit_index, 0) + len(group)
            for p, t in group:
                picked.append((hit_index, p, t))
                said.add(_key(t))
            used += size
        picked = _without_dangling_intros(picked)
        picked.sort(key=lambda p: (p[0], p[1]))
        return [ComposedSentence(text, (hit_index,)) for hit_index, _pos, text in picked]

def _key(sentence: str) -> str:
    return " ".join(sentence.casefold().split())


def introduces(sentence: str) -> bool:
    """Does the sentence end by announcing what follows ("three places:")?"""
    return sentence.rstrip().endswith(INTRO_MARKS)


def _without_dangling_intros(picked: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Leave out an introduction whose next sentence (the list's first item) is not kept."""
    positions = {(hit_index, pos) for hit_index, pos, _text in picked}
    return [
        (hit_index, pos, text) for hit_index, pos, text in picked
        if not introduces(text) or (hit_index, pos + 1) in positions
    ]
