"""``bot.index.ingest``: incremental, atomic publishing of index generations.

Real model, real Chroma, in tmp folders; the knowledge is a writable copy of the
small fixture folder (3 published documents, 1 draft, 3 referrals).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.advisor.advisor import Advisor
from bot.advisor.composer import DEFAULT_BUDGET, ExtractiveComposer
from bot.advisor.models import Answer, Question
from bot.advisor.runtime import DEFAULT_MIN_RELEVANCE
from bot.advisor.strings import load_strings
from bot.config import PROMPTS_DIR
from bot.errors import IndexBusy, KnowledgeError
from bot.index.chroma_store import EF_CONSTRUCTION, EF_SEARCH, MAX_NEIGHBORS
from bot.index.embedders import Embedder, embed_query
from bot.index.embedders.e5 import E5Embedder
from bot.index.ingest import IngestReport, ingest
from bot.index.layout import IndexLayout
from bot.index.view import IndexView, IndexWatcher, load_view
from bot.retrieval.retriever import retrieve

DETAINED = "guides/en/detained.md"
VISA_EN = "guides/en/student-visa.md"
VISA_FR = "guides/fr/student-visa.md"
DRAFT = "guides/en/drafts/fake-offers.md"
REGISTRY = "referrals/registry.yaml"
ALL_FILES = sorted([DETAINED, VISA_EN, VISA_FR, DRAFT, REGISTRY])

OLD_CONSULATE = "You may ask the police to inform your consulate."
NEW_CONSULATE = "You may ask the police to telephone your consulate within one hour."

NEW_GUIDE = """\
---
id: winter-clothing
title: Warm clothes for the Russian winter
lang: en
countries: [RU]
topics: [weather, clothing]
referrals: [embassy-finder]
sources:
  - title: Notes from caseworkers
status: published
reviewed_by: Legal team, Example NGO
reviewed_on: 2026-11-01
review_due: 2099-12-31
---
## Boots and coats
Buy insulated boots and a down coat before November; second-hand markets sell them cheaply.
"""


def run(knowledge: Path, data: Path, embedder: Embedder, **kw: object) -> IngestReport:
    return ingest(knowledge, data, embedder, "e5", progress=False, **kw)


@contextmanager
def view_of(data: Path, embedder: Embedder) -> Iterator[IndexView]:
    view = load_view(data, embedder, "e5")
    try:
        yield view
    finally:
        view.close()


class Served:
    """What the service holds: a watcher on the data folder and an advisor reading it.

    Built from the same parts as ``bot.advisor.runtime`` but without the urgency and refusal
    classifiers (their examples take a minute to embed and say nothing about the index).
    """

    def __init__(self, data: Path, embedder: Embedder, min_relevance: float | None = None):
        self.watcher = IndexWatcher(data, embedder, "e5")
        self.watcher.refresh()
        self.advisor = Advisor(
            view=lambda: self.watcher.view,
            embedder=embedder,
            composer=ExtractiveComposer(),
            strings=load_strings(PROMPTS_DIR / "strings"),
            min_relevance=DEFAULT_MIN_RELEVANCE["e5"] if min_relevance is None else min_relevance,
        )

    def ask(self, text: str) -> Answer:
        return self.advisor.answer(Question(text=text, lang="en"), DEFAULT_BUDGET)

    def close(self) -> None:
        self.watcher.stop()


def all_vector_ids(view: IndexView, embedder: Embedder) -> list[str]:
    """Every id stored in Chroma (k larger than the collection)."""
    hits = view.store.query(embed_query(embedder, "anything"), 1000)
    return [pid for pid, _ in hits]


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def first(knowledge_copy: Path, data: Path, embedder: Embedder) -> IngestReport:
    return run(knowledge_copy, data, embedder)


# -- first and repeated ingests -----------------------------------------------------------


def test_first_ingest_adds_every_file_and_publishes(first: IngestReport, data: Path, embedder):
    assert first.added == ALL_FILES
    assert first.updated == first.removed == first.unchanged == []
    assert first.documents == 3  # the draft is not published
    assert first.passages > 0 and first.embedded == first.passages and first.reused == 0
    layout = IndexLayout(data)
    assert first.generation is not None and layout.current() == first.generation
    assert layout.generations() == [first.generation]
    with view_of(data, embedder) as view:
        assert view.generation == first.generation
        assert len(view.passages) == first.passages
        assert view.store.count() == first.passages


def test_the_served_collection_holds_the_measured_hnsw_settings(
    first: IngestReport, data: Path, embedder: Embedder
) -> None:
    # Chroma applies ef_search when a collection is created (bench/hnsw.py chose it by
    # recall); what the served collection reports back is what its searches use.
    with view_of(data, embedder) as view:
        hnsw = view.store.hnsw()
    assert (hnsw["space"], hnsw["ef_search"], hnsw["ef_construction"],
            hnsw["max_neighbors"]) == ("cosine", EF_SEARCH, EF_CONSTRUCTION, MAX_NEIGHBORS)


def test_second_ingest_with_nothing_changed_embeds_nothing(
    first: IngestReport, knowledge_copy: Path, data: Path, embedder
):
    again = run(knowledge_copy, data, embedder)
    assert again.embedded == 0
    assert again.generation == first.generation
    assert again.unchanged == ALL_FILES
    assert not again.changed
    assert IndexLayout(data).generations() == [first.generation]


def test_changed_file_is_updated_and_only_its_changed_passage_embedded(
    first: IngestReport, knowledge_copy: Path, data: Path, embedder
):
    edit(knowledge_copy, DETAINED, OLD_CONSULATE, NEW_CONSULATE)
    report = run(knowledge_copy, data, embedder)

    assert report.updated == [DETAINED]
    assert report.added == report.removed == []
    assert 0 < report.embedded < report.passages
    assert report.embedded == 1  # one section changed; the others come from the cache
    assert report.generation != first.generation
    assert IndexLayout(data).current() == report.generation

    with view_of(data, embedder) as view:
        texts = [p.text for p in view.passages]
        assert any(NEW_CONSULATE in t for t in texts)
        assert not any(OLD_CONSULATE in t for t in texts)
        found = retrieve(view, embedder, "Can the police telephone my consulate?")
        assert found.hits[0].passage.doc_id == "detained-rights"
        assert NEW_CONSULATE in found.hits[0].passage.text

    served = Served(data, embedder)
    try:
        answer = served.ask("Can the police telephone my consulate?")
    finally:
        served.close()
    assert answer.status == "answered"
    quotes = " ".join(c.quote for c in answer.citations)
    assert NEW_CONSULATE in quotes and OLD_CONSULATE not in quotes


def test_deleted_file_is_removed_from_retrieval_and_chroma(
    first: IngestReport, knowledge_copy: Path, data: Path, embedder
):
    with view_of(data, embedder) as view:
        detained = [p.id for p in view.passages if p.doc_id == "detained-rights"]
    assert detained

    (knowledge_copy / DETAINED).unlink()
    report = run(knowledge_copy, data, embedder)

    assert report.removed == [DETAINED]
    assert report.embedded == 0  # the remaining passages are all cached
    assert report.passages == first.passages - len(detained)
    with view_of(data, embedder) as view:
        assert not [p for p in view.passages if p.doc_id == "detained-rights"]
        assert view.store.count() == first.passages - len(detained)
        assert not set(all_vector_ids(view, embedder)) & set(detained)
        found = retrieve(view, embedder, "The police detained me, can I ask for a lawyer?")
        assert found.hits
        assert "detained-rights" not in found.documents()


def test_added_file_is_added_and_retrievable(
    first: IngestReport, knowledge_copy: Path, data: Path, embedder
):
    rel = "guides/en/winter-clothing.md"
    (knowledge_copy / rel).write_text(NEW_GUIDE, encoding="utf-8")
    report = run(knowledge_copy, data, embedder)

    assert report.added == [rel]
    assert report.unchanged == ALL_FILES
    assert report.embedded == 1
    with view_of(data, embedder) as view:
        assert view.store.count() == first.passages + 1
        found = retrieve(view, embedder, "Where can I buy warm boots for winter?")
        assert found.hits[0].passage.doc_id == "winter-clothing"


def test_a_draft_is_never_indexed_nor_cited(first: IngestReport, knowledge_copy, data, embedder):
    assert DRAFT in first.added  # the file is tracked...
    with view_of(data, embedder) as view:  # ...but its text is served nowhere
        assert not [p for p in view.passages if p.doc_id == "fake-offers"]
        assert not [pid for pid in all_vector_ids(view, embedder) if pid.startswith("fake-offers")]
        assert ("fake-offers", "en") not in view.documents
        draft_words = (
            "An agent asks for money before you travel, or promises a job without a contract."
        )
        found = retrieve(view, embedder, draft_words)
        assert "fake-offers" not in found.documents()

    served = Served(data, embedder, min_relevance=0.0)  # answer whatever is closest
    try:
        answer = served.ask(draft_words)
    finally:
        served.close()
    assert "fake-offers" not in [c.doc_id for c in answer.citations]
    assert not any("agent asks for money" in s.text for s in answer.sentences)


# -- failures leave the served index alone ------------------------------------------------


def test_invalid_file_raises_and_leaves_current_unchanged(
    first: IngestReport, knowledge_copy: Path, data: Path, embedder
):
    edit(knowledge_copy, VISA_EN, "status: published", "status: final")
    with pytest.raises(KnowledgeError) as caught:
        run(knowledge_copy, data, embedder)
    assert any(p.path == VISA_EN and p.field == "status" for p in caught.value.problems)
    layout = IndexLayout(data)
    assert layout.current() == first.generation
    assert layout.generations() == [first.generation]


class FailingEmbedder(E5Embedder):
    """The real model, made to fail on its ``fail_on``-th call to ``embed_passages``."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.fail_on = fail_on
        self.calls = 0

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls >= self.fail_on:
            raise RuntimeError("simulated crash in the middle of embedding")
        return super().embed_passages(texts)


def test_interrupted_ingest_leaves_previous_generation_served(
    first: IngestReport, knowledge_copy: Path, data: Path, embedder
):
    served = Served(data, embedder)
    try:
        before = served.ask("Who extends my student visa?")
        assert before.status == "answered"

        # Three passages change; one passage per batch; the second batch crashes.
        edit(knowledge_copy, DETAINED, OLD_CONSULATE, NEW_CONSULATE)
        edit(knowledge_copy, DETAINED, "You may ask for a lawyer.", "You may ask for a lawyer now.")
        edit(knowledge_copy, VISA_FR, "Elle ne peut pas", "Elle ne peut en aucun cas")
        failing = FailingEmbedder(fail_on=2)
        with pytest.raises(RuntimeError, match="simulated crash"):
            run(knowledge_copy, data, failing, batch_size=1)
        assert failing.calls == 2

        layout = IndexLayout(data)
        assert layout.current() == first.generation
        assert layout.generations() == [first.generation]
        assert served.watcher.refresh() is False  # nothing new to switch to
        assert served.watcher.view.generation == first.generation
        after = served.ask("Who extends my student visa?")
        assert after.status == "answered"
        assert after.citations == before.citations
        with view_of(data, embedder) as view:  # a fresh process would load it too
            assert not any(NEW_CONSULATE in p.text for p in view.passages)
    finally:
        served.close()

    # The batch embedded before the crash is kept: the retry embeds only the rest.
    retry = run(knowledge_copy, data, embedder)
    assert retry.embedded == 2 and retry.reused == retry.passages - 2
    assert IndexLayout(data).current() == retry.generation != first.generation


class BlockingEmbedder(E5Embedder):
    """The real model, holding its first call until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.entered.set()
        assert self.release.wait(60), "the test never released the embedder"
        return super().embed_passages(texts)


def test_concurrent_ingest_gets_index_busy(knowledge_copy: Path, data: Path, embedder):
    blocking = BlockingEmbedder()
    results: list[IngestReport | BaseException] = []

    def first_ingest() -> None:
        try:
            results.append(run(knowledge_copy, data, blocking))
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            results.append(exc)

    thread = threading.Thread(target=first_ingest)
    thread.start()
    try:
        assert blocking.entered.wait(60), "the first ingest never started embedding"
        with pytest.raises(IndexBusy):
            run(knowledge_copy, data, embedder)
    finally:
        blocking.release.set()
        thread.join(120)
    assert len(results) == 1 and isinstance(results[0], IngestReport), results
    assert IndexLayout(data).current() == results[0].generation
    # Once the lock is free, the next ingest runs (and finds nothing to do).
    assert run(knowledge_copy, data, embedder).generation == results[0].generation


def test_old_generations_are_pruned(first: IngestReport, knowledge_copy: Path, data, embedder):
    names = [first.generation]
    for _ in range(3):
        report = run(knowledge_copy, data, embedder, force=True)
        assert report.embedded == 0
        names.append(report.generation)
    assert len(set(names)) == 4
    layout = IndexLayout(data)
    remaining = [p.name for p in layout.root.iterdir() if p.is_dir()]
    assert len(remaining) <= 2
    assert sorted(remaining) == names[-2:]  # the served one and the one before it
    assert layout.current() == names[-1]
    with view_of(data, embedder) as view:
        assert view.store.count() == first.passages
