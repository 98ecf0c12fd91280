"""The relevance decision (``bot.advisor.relevance``): a topic only a draft covers is
``no_answer`` (issue 15). Real model, real Chroma, a copy of the small fixture folder
(two published guides, one draft about fake job offers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.advisor.advisor import Advisor
from bot.advisor.composer import DEFAULT_BUDGET, ExtractiveComposer
from bot.advisor.models import Answer, Question
from bot.advisor.relevance import judge_relevance, quoted_similarity
from bot.advisor.runtime import DEFAULT_MIN_RELEVANCE
from bot.advisor.strings import load_strings
from bot.config import PROMPTS_DIR
from bot.index.embedders import Embedder, embed_query
from bot.index.ingest import ingest
from bot.index.view import IndexWatcher
from bot.retrieval.retriever import retrieve

DRAFT = "guides/en/drafts/fake-offers.md"
ABOUT_THE_DRAFT = "an agent wants money before I travel for a job in Russia, is the offer fake?"
ABOUT_A_GUIDE = "the police arrested me, what are my rights?"


def served(knowledge: Path, data: Path, embedder: Embedder) -> tuple[IndexWatcher, Advisor]:
    ingest(knowledge, data, embedder, "e5", progress=False)
    watcher = IndexWatcher(data, embedder, "e5")
    watcher.refresh()
    advisor = Advisor(
        view=lambda: watcher.view,
        embedder=embedder,
        composer=ExtractiveComposer(),
        strings=load_strings(PROMPTS_DIR / "strings"),
        min_relevance=DEFAULT_MIN_RELEVANCE["e5"],
    )
    return watcher, advisor


def ask(advisor: Advisor, text: str) -> Answer:
    return advisor.answer(Question(text=text, lang="en"), DEFAULT_BUDGET)


def test_a_topic_only_a_draft_covers_is_no_answer(
    knowledge_copy: Path, tmp_path: Path, embedder: Embedder
):
    watcher, advisor = served(knowledge_copy, tmp_path / "data", embedder)
    try:
        answer = ask(advisor, ABOUT_THE_DRAFT)
        assert answer.status == "no_answer", [c.doc_id for c in answer.citations]
        assert answer.reason == "no_relevant_guidance" and not answer.citations
        assert answer.referrals  # the general contacts still come with it
        view = watcher.view
        vector = embed_query(embedder, ABOUT_THE_DRAFT)
        verdict = judge_relevance(view, vector, retrieve(view, embedder, ABOUT_THE_DRAFT,
                                                         lang="en"), 0.0)
        assert verdict.reason == "only_a_draft"  # even with no floor at all
        assert verdict.draft is not None and verdict.draft > verdict.quoted
        # Not the floor's doing: an advisor that answers whatever is closest refuses too.
        anything = Advisor(view=lambda: watcher.view, embedder=embedder,
                           composer=ExtractiveComposer(),
                           strings=load_strings(PROMPTS_DIR / "strings"), min_relevance=0.0)
        assert ask(anything, ABOUT_THE_DRAFT).status == "no_answer"
        assert ask(anything, ABOUT_A_GUIDE).status == "answered"

        covered = ask(advisor, ABOUT_A_GUIDE)  # a published guide's topic is answered
        assert covered.status == "answered"
        assert [c.doc_id for c in covered.citations][0] == "detained-rights"
    finally:
        watcher.stop()


def test_once_published_the_same_question_is_answered_from_it(
    knowledge_copy: Path, tmp_path: Path, embedder: Embedder
):
    path = knowledge_copy / DRAFT
    path.write_text(path.read_text(encoding="utf-8").replace("status: draft",
                                                             "status: published"),
                    encoding="utf-8")
    watcher, advisor = served(knowledge_copy, tmp_path / "data", embedder)
    try:
        assert watcher.view.signals is not None and not watcher.view.signals.draft_docs
        answer = ask(advisor, ABOUT_THE_DRAFT)
        assert answer.status == "answered"
        assert answer.citations[0].doc_id == "fake-offers"
    finally:
        watcher.stop()


def test_the_quoted_similarity_is_the_first_guides(
    knowledge_copy: Path, tmp_path: Path, embedder: Embedder
):
    watcher, _advisor = served(knowledge_copy, tmp_path / "data", embedder)
    try:
        found = retrieve(watcher.view, embedder, ABOUT_A_GUIDE, lang="en")
        first = found.hits[0].passage.doc_id
        own = [h.similarity for h in found.hits
               if h.passage.doc_id == first and h.similarity is not None]
        assert quoted_similarity(found) == pytest.approx(max(own))
        assert quoted_similarity(found) <= found.top_similarity
    finally:
        watcher.stop()
