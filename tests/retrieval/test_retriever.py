"""``bot.retrieval.retriever`` on the shipped knowledge: cross-lingual, language-aware, exact."""

from __future__ import annotations

import pytest

from bot.advisor.runtime import Runtime
from bot.index.view import IndexView
from bot.retrieval.retriever import retrieve

# Questions as users write them, in languages whose guidance may or may not be translated.
CROSS_LINGUAL = [
    ("fr", "Mon employeur a pris mon passeport et refuse de me le rendre, que faire ?",
     "passport-taken"),
    ("ar", "أخذ صاحب العمل جواز سفري ولا يريد إعادته، ماذا أفعل؟", "passport-taken"),
    ("sw", "Polisi wamenikamata, nina haki gani?", "detained-rights"),
    ("sw", "Mwajiri wangu amechukua pasipoti yangu, nifanye nini?", "passport-taken"),
    ("ne", "मलाई प्रहरीले पक्रेको छ, मेरा अधिकारहरू के हुन्?", "detained-rights"),
    ("ne", "एजेन्टले रुसमा राम्रो तलबको जागिरको प्रस्ताव दियो, के यो साँचो हो?", "fake-offers"),
]


@pytest.fixture(scope="module")
def view(starter_runtime: Runtime) -> IndexView:
    return starter_runtime.watcher.view


@pytest.mark.parametrize("with_lang", [False, True], ids=["no-lang", "lang"])
@pytest.mark.parametrize(("lang", "question", "doc_id"), CROSS_LINGUAL)
def test_question_in_any_language_finds_the_right_document(
    view: IndexView, starter_runtime: Runtime, lang, question, doc_id, with_lang
):
    found = retrieve(view, starter_runtime.embedder, question, lang=lang if with_lang else None)
    top5 = found.hits[:5]
    assert doc_id in [h.passage.doc_id for h in top5], [h.passage.id for h in top5]
    for hit in top5:  # whatever was found is a passage of a published document, as indexed
        assert view.passages[view.by_id[hit.passage.id]] == hit.passage
        assert hit.doc.lang == hit.passage.lang and hit.doc.doc_id == hit.passage.doc_id


def test_language_preference_quotes_the_translation(view: IndexView, starter_runtime: Runtime):
    assert ("passport-taken", "fr") in view.documents  # the French translation ships
    question = "Mon employeur a pris mon passeport, que puis-je faire ?"
    found = retrieve(view, starter_runtime.embedder, question, lang="fr")
    top = found.hits[0]
    assert top.passage.doc_id == "passport-taken"
    assert top.passage.lang == "fr" and top.passage.path.startswith("guides/fr/")
    assert top.doc.path == top.passage.path


def test_an_english_question_is_quoted_in_the_preferred_language(
    view: IndexView, starter_runtime: Runtime
):
    question = "Someone took my passport and will not give it back"
    en = retrieve(view, starter_runtime.embedder, question, lang="en")
    assert en.hits[0].passage.doc_id == "passport-taken" and en.hits[0].passage.lang == "en"
    fr = retrieve(view, starter_runtime.embedder, question, lang="fr")
    assert fr.hits[0].passage.doc_id == "passport-taken" and fr.hits[0].passage.lang == "fr"


def test_untranslated_language_falls_back_to_existing_passages(
    view: IndexView, starter_runtime: Runtime
):
    # Amharic is a language we serve but no guidance is translated into it.
    assert not [key for key in view.documents if key[1] == "am"]
    found = retrieve(view, starter_runtime.embedder, "Someone took my passport", lang="am")
    assert found.hits and found.hits[0].passage.doc_id == "passport-taken"
    assert all(h.passage.lang != "am" for h in found.hits)


@pytest.mark.parametrize(
    "question", ["What does Article 24.2 say?", "Article 24.2", "article 24.2 koap interpreter"]
)
def test_exact_article_number_ranks_its_document_top_3(
    view: IndexView, starter_runtime: Runtime, question: str
):
    found = retrieve(view, starter_runtime.embedder, question, lang="en")
    assert "detained-rights" in [h.passage.doc_id for h in found.hits[:3]]


def test_hits_are_unique_best_first_and_limited(view: IndexView, starter_runtime: Runtime):
    found = retrieve(view, starter_runtime.embedder, "police detained me", k=7)
    assert 0 < len(found.hits) <= 7
    ids = [h.passage.id for h in found.hits]
    assert len(ids) == len(set(ids))
    scores = [h.score for h in found.hits]
    assert scores == sorted(scores, reverse=True)
    sims = [h.similarity for h in found.hits if h.similarity is not None]
    assert sims and found.top_similarity >= max(sims) - 1e-9
    assert found.documents() == list(dict.fromkeys(h.passage.doc_id for h in found.hits))
