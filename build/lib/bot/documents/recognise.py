"""Which kind of paper a page's text is, from the phrases editors listed for each kind.

Each phrase is looked for in the folded text (:func:`bot.knowledge.russian_text.fold`)
with an edit-distance alignment (rapidfuzz ``partial_ratio``: the best-matching
stretch of the page, so the phrase may sit anywhere in it). OCR errors are forgiven
up to one wrong letter in about eight; a shorter phrase gets less slack, because a
short word one letter off is often another word. A found phrase adds its weight to
its kind; a kind whose evidence reaches :data:`RECOGNISED_AT` is recognised.
Nothing else is ever guessed: no evidence, no kind.

When several kinds reach the threshold, a dangerous kind is named over a harmless
one, whatever their scores: army contracts have been hidden in piles of ordinary
forms, and a false "do not sign yet" costs far less than a missed one.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.documents.reading import DocumentReading, PhraseMatch
from bot.knowledge.document_kinds import RECOGNISED_AT, DocumentKind, KeyPhrase
from bot.knowledge.russian_text import fold, letters

# A page that matched no kind is "too little text" (ask for a sharper photo) rather
# than an unknown paper when fewer letters than this were legible, or fewer than
# this share of all the letters read (a blurred photo reads as many letters, mostly
# guesses: under a fifth legible in the tests, against over nine tenths when sharp).
MIN_TEXT_CHARS = 60
MIN_LEGIBLE_SHARE = 0.5
LETTERS_PER_ERROR = 8  # OCR slack: one wrong letter forgiven per this many


def floor(phrase: str) -> float:
    """The least similarity (0..1) at which ``phrase`` counts as found.

    ``partial_ratio`` is an Indel similarity: one wrong letter in a phrase of n
    letters costs one deletion and one insertion, a similarity of 1 - 1/n.
    """
    n = len(phrase)
    errors = max(1, round(n / LETTERS_PER_ERROR))
    return 1.0 - errors / n - 1e-9


def find(phrase: KeyPhrase, folded_text: str) -> PhraseMatch | None:
    least = floor(phrase.folded)
    score = fuzz.partial_ratio(phrase.folded, folded_text, score_cutoff=least * 100)
    return PhraseMatch(phrase, round(score / 100, 3)) if score else None


def evidence(kind: DocumentKind, folded_text: str) -> tuple[float, tuple[PhraseMatch, ...]]:
    """The kind's score on this text, and the phrases that make it, strongest first."""
    found = [m for m in (find(p, folded_text) for p in kind.phrases) if m is not None]
    found.sort(key=lambda m: (m.evidence, m.similarity), reverse=True)
    return sum(m.evidence for m in found), tuple(found)


def confidence(score: float) -> float:
    """0.5 at the threshold, 0.75 at twice as much evidence, nearing 1 beyond."""
    return round(1.0 - 0.5 ** (score / RECOGNISED_AT), 2)


def identify(
    text: str, kinds: list[DocumentKind], legible_chars: int | None = None
) -> DocumentReading:
    """The kind among ``kinds`` that the page's ``text`` is, or why it cannot be told.

    ``legible_chars``: how many of the letters the OCR was confident about (all of
    them when not given, as for text that did not come from a photo).
    """
    chars = letters(text)
    legible = chars if legible_chars is None else legible_chars
    folded = fold(text)
    scored = [(kind, *evidence(kind, folded)) for kind in kinds] if folded else []
    reached = [s for s in scored if s[1] >= RECOGNISED_AT - 1e-9]
    if not reached:
        if legible < MIN_TEXT_CHARS or legible < MIN_LEGIBLE_SHARE * chars:
            reason = "too_little_text"
        elif any(matches for _, _, matches in scored):
            reason = "unclear"
        else:
            reason = "no_known_phrase"
        return DocumentReading("cannot_tell", text_chars=chars, reason=reason)
    # Dangerous first, then by score; ties by kind name, so a reading is reproducible.
    reached.sort(key=lambda s: (not s[0].dangerous, -s[1], s[0].kind))
    kind, score, matches = reached[0]
    return DocumentReading(
        "recognised",
        kind=kind,
        confidence=confidence(score),
        matches=matches,
        others=tuple(k for k, _, _ in reached[1:]),
        text_chars=chars,
    )
