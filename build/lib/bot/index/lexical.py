"""A small BM25 index for exact words: names, numbers, legal articles.

Dense retrieval finds meaning across languages; this finds "Article 24.2",
"8-800-333-00-16" or "Sakharovo" when they are typed exactly. It is built in
memory from the passages of an index snapshot (a few thousand passages take
well under a second), so it never disagrees with the vectors it sits beside.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

# Numbers with their inner dots, dashes and slashes stay whole ("24.2", "115-fz",
# "8-800-333-00-16"); otherwise runs of letters and digits in any script.
_TOKEN = re.compile(r"\d+(?:[./\-]\d+)*(?:-[^\W\d_]+)?|[^\W_]+", re.UNICODE)
_LATIN_PLURAL = re.compile(r"^[a-z]{4,}s$")
# Too frequent to say anything in our guidance; kept tiny on purpose.
_STOP = frozenset(
    "a an and are as at be by can do for from has have i if in is it me my of on or "
    "so that the their they this to was we what when where which who will with you your "
    "le la les de des du un une et est en que qui pour pas je il".split()
)


def tokenize(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        if tok in _STOP:
            continue
        if _LATIN_PLURAL.match(tok) and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok)
    return out


class BM25Index:
    """Okapi BM25 over a fixed list of documents."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._lengths: list[int] = []
        for i, text in enumerate(texts):
            counts = Counter(tokenize(text))
            self._lengths.append(sum(counts.values()))
            for tok, tf in counts.items():
                self._postings[tok].append((i, tf))
        n = len(self._lengths)
        self._avg = (sum(self._lengths) / n) if n else 0.0
        self._idf = {
            tok: math.log(1.0 + (n - len(p) + 0.5) / (len(p) + 0.5))
            for tok, p in self._postings.items()
        }

    def __len__(self) -> int:
        return len(self._lengths)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Indexes of the best ``k`` documents with their BM25 scores, best first."""
        return self.search_tokens(tokenize(query), k)

    def search_tokens(self, tokens: Iterable[str], k: int) -> list[tuple[int, float]]:
        scores: dict[int, float] = defaultdict(float)
        for tok in set(tokens):
            postings = self._postings.get(tok)
            if not postings:
                continue
            idf = self._idf[tok]
            for i, tf in postings:
                norm = self.k1 * (1.0 - self.b + self.b * self._lengths[i] / self._avg)
                scores[i] += idf * tf * (self.k1 + 1.0) / (tf + norm)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:k]
