"""Guides for one side of a signature: what someone who already signed reads first.

A guide may declare in its front matter that it is only for the time before a
signature (``condition: before-signing``: "someone is pushing you to sign", whose
first step is "do not sign on the spot") or only for after it (``condition:
after-signing``: "I already signed"). When a message states that the signature
happened (the ``signed`` cues of ``prompts/danger_cues.yaml``, any language we
serve: "they made me sign a paper a month ago", "firmé hace un mes"), the
after-signing passage closest to the message leads the answer (brought in when
retrieval did not find it), and the before-signing guidance comes after everything
else. Any folder can declare its own guides this way; nothing here names a guide.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.index.view import IndexView
from bot.retrieval.retriever import Hit

BEFORE, AFTER = "before-signing", "after-signing"
SIGNED = "signed"  # the danger of prompts/danger_cues.yaml that states a signature happened
FALLBACK_LANG = "en"


def for_signed(view: IndexView, hits: Sequence[Hit], stated: frozenset[str],
               vector: Sequence[float], lang: str) -> list[Hit]:
    """``hits`` for a message that states ``stated``: unchanged unless it states that the
    person signed; then the after-signing guidance first, the before-signing last."""
    if SIGNED not in stated or not hits:
        return list(hits)
    after = [h for h in hits if h.doc.condition == AFTER]
    before = [h for h in hits if h.doc.condition == BEFORE]
    rest = [h for h in hits if h.doc.condition not in (AFTER, BEFORE)]
    # The after-signing passage closest to the message leads ("I signed" the guide's
    # opening, "I signed, what do I write down?" its notes), then those retrieval found.
    closest = _closest_after(view, vector, lang, hits)
    after = [*closest, *(h for h in after if all(h.passage.id != c.passage.id
                                                  for c in closest))]
    if after:
        # It leads, with the best score: the composer weighs a passage by its place among
        # the hits and by its score against the first one's.
        lead = max(h.score for h in hits)
        after = [Hit(after[0].passage, after[0].doc, score=lead,
                     similarity=after[0].similarity), *after[1:]]
    return [*after, *rest, *before]


def _closest_after(view: IndexView, vector: Sequence[float], lang: str,
                   hits: Sequence[Hit]) -> list[Hit]:
    """The closest passage of an after-signing guide in the language of the answer (the
    user's, else that of the best hit, else English); none when the folder has none."""
    docs = [d for d in view.documents.values() if d.condition == AFTER]
    for wanted in dict.fromkeys((lang, hits[0].doc.lang, FALLBACK_LANG)):
        for doc in docs:
            if doc.lang != wanted:
                continue
            found = view.store.query(vector, 1, lang=doc.lang, doc_id=doc.doc_id)
            for pid, sim in found:
                if pid in view.by_id:
                    return [Hit(view.passages[view.by_id[pid]], doc, score=sim,
                                similarity=sim)]
    return []
