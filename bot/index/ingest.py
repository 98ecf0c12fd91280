"""``bot ingest``: validate the knowledge folder and publish a new index generation.

Incremental where it costs: a passage whose text (with its title and section)
is unchanged is never embedded again; its vector comes from the embedding
cache, or on a Chroma server from the generation being served. Every run
writes a complete new generation (vectors, passages, documents, referrals) and
switches to it atomically, so the service never sees a half-built index.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bot.errors import IndexError_, KnowledgeError
from bot.index.cache import EmbeddingCache, text_hash
from bot.index.catalog import Catalog
from bot.index.chroma_store import passage_metadata
from bot.index.embedders import Embedder
from bot.index.place import IndexPlace, place_of
from bot.index.signals import build_signals
from bot.index.snapshot import DocInfo, Snapshot
from bot.knowledge.chunker import split_passages
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import Knowledge, Passage

log = logging.getLogger(__name__)

EMBED_BATCH = 32


@dataclass
class IngestReport:
    generation: str | None
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    embedded: int = 0  # passages embedded in this run
    reused: int = 0  # passages whose vector came from the cache
    embed_seconds: float = 0.0
    seconds: float = 0.0
    warnings: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {len(self.unchanged)} unchanged files; "
            f"{self.passages} passages from {self.documents} published documents "
            f"({self.embedded} embedded, {self.reused} reused) in {self.seconds:.1f} s"
        )

    def lines(self) -> list[str]:
        """What ``bot ingest`` prints and the knowledge page shows: files, summary, index."""
        out = [f"  {label:8} {path}"
               for label, paths in (("added", self.added), ("updated", self.updated),
                                    ("removed", self.removed))
               for path in paths]
        if not self.changed:
            out.append("nothing changed: the served index is up to date")
        out.append(self.summary())
        if self.generation:
            out.append(f"index generation {self.generation}")
        if self.warnings:
            out.append(f"{self.warnings} warning(s): run `bot knowledge check` to see them")
        return out


def refusal_lines(refused: KnowledgeError) -> list[str]:
    """Why an ingest was refused: every problem (errors first), then what it means."""
    ordered = sorted(refused.problems, key=lambda p: (p.severity != "error", p.path, p.line))
    return [str(p) for p in ordered] + [f"ingest refused: {refused}; nothing was changed"]


def _file_checksums(knowledge: Knowledge, root: Path) -> dict[str, str]:
    import hashlib

    sums = {d.path: d.checksum for d in knowledge.documents}
    for path in sorted((root / "referrals").glob("*.y*ml")):
        rel = path.relative_to(root).as_posix()
        sums[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


def _compare(report: IngestReport, old: dict[str, str], new: dict[str, str]) -> None:
    for path, digest in sorted(new.items()):
        if path not in old:
            report.added.append(path)
        elif old[path] != digest:
            report.updated.append(path)
        else:
            report.unchanged.append(path)
    report.removed = sorted(set(old) - set(new))


def _embed(
    passages: list[Passage],
    embedder: Embedder,
    cache: EmbeddingCache,
    report: IngestReport,
    progress: bool,
    batch_size: int,
    served: Callable[[dict[str, str]], dict[str, np.ndarray]] | None = None,
) -> list[np.ndarray]:
    """Every passage's vector: from the cache, from the served generation, else embedded.

    ``served`` fetches vectors of the served generation by passage id (given the
    ids wanted, keyed by text hash): on a Chroma server an ingest with an empty
    data folder (a fresh replica, a one-off job) then embeds only what changed.
    """
    hashes = [text_hash(p.embedding_text()) for p in passages]
    known = cache.get_many(hashes)
    if served is not None:
        wanted = {h: p.id for p, h in zip(passages, hashes, strict=True) if h not in known}
        if wanted:
            fetched = served(wanted)
            cache.put_many(fetched.items())
            known.update(fetched)
    missing = [i for i, h in enumerate(hashes) if h not in known]
    report.reused = len(passages) - len(missing)
    report.embedded = len(missing)
    started = time.perf_counter()
    with tqdm(
        total=len(missing), desc="embedding", unit="passage", disable=not progress or not missing
    ) as bar:
        for start in range(0, len(missing), batch_size):
            batch = missing[start : start + batch_size]
            vectors = embedder.embed_passages([passages[i].embedding_text() for i in batch])
            fresh = [
                (hashes[i], np.asarray(v, dtype=np.float32))
                for i, v in zip(batch, vectors, strict=True)
            ]
            cache.put_many(fresh)
            known.update(fresh)
            bar.update(len(batch))
    report.embed_seconds = time.perf_counter() - started
    return [known[h] for h in hashes]


def ingest(
    knowledge_dir: Path,
    where: Path | IndexPlace,
    embedder: Embedder,
    embedder_name: str,
    progress: bool = True,
    force: bool = False,
    batch_size: int = EMBED_BATCH,
) -> IngestReport:
    """Validate, embed what changed, publish a new generation. Raises on invalid files.

    ``where`` is a data folder (everything local, the default) or an
    ``IndexPlace`` (``IndexPlace.of(settings)``: a Chroma server and the shared
    database). Passages are embedded ``batch_size`` at a time; each batch is kept
    in the embedding cache at once, so an interrupted run embeds only the rest
    next time. One ingest at a time: another one raises ``IndexBusy``.
    """
    started = time.perf_counter()
    knowledge = load_knowledge(knowledge_dir)
    if knowledge.errors:
        raise KnowledgeError(knowledge.problems)

    place = place_of(where)
    catalog = place.catalog
    with catalog.writer_lock():
        if place.shared:
            place.prune()  # what earlier runs left past its grace, or a dead run's leftovers
        previous = _previous_snapshot(catalog)
        report = IngestReport(generation=None, warnings=len(knowledge.warnings))
        files = _file_checksums(knowledge, knowledge_dir)
        _compare(report, previous.files if previous else {}, files)
        key = embedder.key

        published = knowledge.published
        passages = [p for doc in published for p in split_passages(doc)]
        report.documents = len(published)
        report.passages = len(passages)

        same_model = previous is not None and previous.embedder_key == key
        # A generation written before the guide signals existed is rebuilt once.
        has_signals = previous is not None and catalog.signals(previous.generation) is not None
        if same_model and has_signals and not report.changed and not force \
                and _vectors_present(place, previous, embedder, embedder_name):
            report.generation = previous.generation if previous else None
            report.reused = len(passages)
            report.seconds = time.perf_counter() - started
            return report

        served = None
        if place.shared and same_model and previous is not None:
            served = _served_vectors(place, previous, embedder, embedder_name)
        cache = EmbeddingCache(place.layout.cache_file, key)
        try:
            vectors = _embed(passages, embedder, cache, report, progress, batch_size, served)
            cache.prune({text_hash(p.embedding_text()) for p in passages})
        finally:
            cache.close()

        documents = [DocInfo.of(d) for d in published]
        drafts = [p for doc in knowledge.documents if not doc.published
                  for p in split_passages(doc)]
        signals = build_signals(passages, documents, embedder, place.layout.cache_file, drafts)

        name = catalog.create(embedder_name, key)
        store = place.open_store(name, embedder, embedder_name, create=True)
        try:
            store.add(
                [p.id for p in passages],
                vectors,
                [passage_metadata(p.doc_id, p.lang) for p in passages],
            )
        finally:
            store.close()

        catalog.save(Snapshot(
            generation=name,
            embedder=embedder_name,
            embedder_key=key,
            files=files,
            documents=documents,
            passages=passages,
            referrals=list(knowledge.referrals.values()),
        ))
        catalog.save_signals(name, signals.to_bytes())
        catalog.publish(name)
        place.prune()
        report.generation = name
        report.seconds = time.perf_counter() - started
        log.info("published index generation %s in %s", name, catalog.where)
        return report


def _served_vectors(
    place: IndexPlace, previous: Snapshot, embedder: Embedder, embedder_name: str
) -> Callable[[dict[str, str]], dict[str, np.ndarray]]:
    """Fetch wanted vectors (text hash -> passage id) from the served generation's collection,
    for passages whose text the served generation holds unchanged."""
    served_hashes = {text_hash(p.embedding_text()) for p in previous.passages}

    def fetch(wanted: dict[str, str]) -> dict[str, np.ndarray]:
        ids = {pid: h for h, pid in wanted.items() if h in served_hashes}
        if not ids:
            return {}
        try:
            store = place.open_store(previous.generation, embedder, embedder_name, create=False)
        except IndexError_ as exc:
            log.warning("the served generation's vectors cannot be read (%s): embedding", exc)
            return {}
        try:
            found = store.vectors(list(ids))
        finally:
            store.close()
        return {ids[pid]: vector for pid, vector in found.items()}

    return fetch


def _vectors_present(place: IndexPlace, previous: Snapshot | None, embedder: Embedder,
                     embedder_name: str) -> bool:
    """Whether the served generation's vectors are all there (on a server they can be lost
    apart from the database: a restored backup, a new Chroma volume); then a run that
    changes nothing publishes nothing."""
    if previous is None or not place.shared:
        return True
    try:
        store = place.open_store(previous.generation, embedder, embedder_name, create=False)
    except IndexError_ as exc:
        log.warning("the served generation's vectors are missing (%s): publishing anew", exc)
        return False
    try:
        return store.count() == len(previous.passages)
    finally:
        store.close()


def _previous_snapshot(catalog: Catalog) -> Snapshot | None:
    try:
        name = catalog.current()
        if name is None:
            return None
        return catalog.snapshot(name)
    except (OSError, ValueError, IndexError_) as exc:
        log.warning("previous index unreadable (%s); rebuilding from scratch", exc)
        return None
