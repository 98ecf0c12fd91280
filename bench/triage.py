"""The triage classifier measured from cached vectors: no model, no lock, a second a run.

    /work/bin/heavy .venv/bin/python -m bench.triage --embed   # once: embed what is missing
    .venv/bin/python -m bench.triage [--questions FILE ...] [--list] [--quiet FILE ...]

``--embed`` embeds (E5 query role, as the advisor does) every triage example,
every refusal example and every question of the question sets that the cache
(``--cache``, default ``/tmp/triage-vectors.npz``) does not hold yet, and saves
it. Without it, nothing is embedded: a missing vector is an error that says to
run ``--embed``.

Then the classifier is built from ``prompts/triage`` as the service builds it
(``Triage``), and the report printed: the cross-validated figures, as in ``bot
eval``, and for each question set the confusion of levels per language, urgent
precision and recall of the classifier alone and of the answer (a refused
request is routine, as ``advisor.refused`` decides).
``--list`` prints every false urgent and missed urgent message of a set, with its
cue words; ``--quiet`` sets get the figures only (a held-out set nobody should
read message by message).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from bot.advisor.advisor import refused as is_refused
from bot.advisor.cued import CuedCheck
from bot.advisor.cues import Cues, read_cues
from bot.advisor.examples import ExampleClassifier, read_examples
from bot.advisor.triage import LEVELS, Triage, read_triage
from bot.config import Settings, prompts_dir
from bot.evaluation.questions import load_questions
from bot.evaluation.triage_report import cross_validation_lines

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETS = [ROOT / "tests/eval/questions.yaml"]
MAX_CHARS = 2000  # as the advisor cuts a message


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class VectorCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self.missing: list[str] = []

    def get(self, texts: list[str]) -> np.ndarray:
        out = []
        for t in texts:
            v = self.vectors.get(_key(t))
            if v is None:
                self.missing.append(t)
            else:
                out.append(v)
        if self.missing:
            return np.zeros((0, 0))
        return np.vstack(out) if out else np.zeros((0, 0))

    def embed(self, texts: list[str]) -> int:
        todo = sorted({t for t in texts if _key(t) not in self.vectors})
        if todo:
            from bot.index.embedders import make_embedder

            embedder = make_embedder(Settings().embedder)
            for t, v in zip(todo, embedder.embed_queries(todo), strict=True):
                self.vectors[_key(t)] = np.asarray(v, dtype=np.float32)
            keys = list(self.vectors)
            np.savez(self.path, keys=np.asarray(keys),
                     vectors=np.vstack([self.vectors[k] for k in keys]))
        return len(todo)


def _refusal_texts(prompts: Path) -> tuple[list[str], list[str]]:
    path = prompts / "refusals.yaml"
    return read_examples(path, "refuse"), read_examples(path, "allow")


def _refusals(cache: VectorCache, prompts: Path, settings: Settings) -> CuedCheck:
    refuse, allow = _refusal_texts(prompts)
    vectors = cache.get(refuse + allow)
    examples = ExampleClassifier(vectors[: len(refuse)], vectors[len(refuse):],
                                 settings.refusal_margin_with_cue)
    cues_path = prompts / "refusals_cues.yaml"
    cues = read_cues(cues_path) if cues_path.exists() else Cues({})
    return CuedCheck(examples, cues, settings.refusal_margin)


def _pr(truth: list[bool], flagged: list[bool]) -> tuple[float | None, float | None, int, int]:
    tp = sum(t and f for t, f in zip(truth, flagged, strict=True))
    n_flag, n_true = sum(flagged), sum(truth)
    return (tp / n_flag if n_flag else None, tp / n_true if n_true else None, n_flag, n_true)


def _num(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def report_set(path: Path, triage: Triage, refusals: CuedCheck, cache: VectorCache,
               listing: bool) -> None:
    questions = [q for q in load_questions(path) if q.expect_urgent is not None]
    texts = [q.question.strip()[:MAX_CHARS] for q in questions]
    vectors = cache.get(texts)
    if cache.missing:
        return
    alone, answer = [], []
    verdicts = []
    for text, v in zip(texts, vectors, strict=True):
        verdict = triage.judge(v, text)
        refusal = refusals.judge(v, text)
        refused = is_refused(refusal, verdict)
        verdicts.append(verdict)
        alone.append(verdict.level)
        answer.append("routine" if refused else verdict.level)
    print(f"\n== {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
          f"{len(questions)} questions with a triage label")
    langs = sorted({q.lang or "?" for q in questions})
    print("  urgent P / R (flagged/real), the classifier alone | the answer's level:")
    for lang in ["all", *langs]:
        idx = [i for i, q in enumerate(questions) if lang == "all" or (q.lang or "?") == lang]
        truth = [bool(questions[i].expect_urgent) for i in idx]
        a = _pr(truth, [alone[i] == "urgent" for i in idx])
        b = _pr(truth, [answer[i] == "urgent" for i in idx])
        print(f"  {lang:4} {_num(a[0])} / {_num(a[1])} ({a[2]:3}/{a[3]:3}) | "
              f"{_num(b[0])} / {_num(b[1])} ({b[2]:3}/{b[3]:3})")
    labelled = [i for i, q in enumerate(questions) if q.expect_triage is not None]
    confusion = Counter((questions[i].expect_triage, alone[i]) for i in labelled)
    print("  confusion, the classifier alone (rows expected, columns given):")
    print("  " + " " * 10 + "".join(f"{lv:>10}" for lv in LEVELS))
    for want in LEVELS:
        print(f"  {want:10}" + "".join(f"{confusion[(want, got)]:>10}" for got in LEVELS))
    for lv in ("sensitive", "routine"):
        p = _pr([questions[i].expect_triage == lv for i in labelled],
                [alone[i] == lv for i in labelled])
        print(f"  {lv} P / R: {_num(p[0])} / {_num(p[1])}")
    if not listing:
        return
    for title, cond in (
        ("false urgent", lambda i: alone[i] == "urgent" and not questions[i].expect_urgent),
        ("missed urgent", lambda i: alone[i] != "urgent" and questions[i].expect_urgent),
    ):
        rows = [i for i in range(len(questions)) if cond(i)]
        print(f"  {title} ({len(rows)}):")
        for i in rows:
            q, v = questions[i], verdicts[i]
            print(f"    line {q.line} [{q.lang}] want {q.expect_triage or q.expect_urgent} "
                  f"got {alone[i]}/{answer[i]} u={v.urgency:.2f} now={int(v.immediate)} "
                  f"cues={v.cues} {q.question!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.triage", description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/triage-vectors.npz"))
    parser.add_argument("--questions", type=Path, nargs="*", default=DEFAULT_SETS)
    parser.add_argument("--quiet", type=Path, nargs="*", default=[],
                        help="sets reported as figures only (no message listed)")
    parser.add_argument("--embed", action="store_true",
                        help="embed what the cache lacks (loads the model: run under the lock)")
    parser.add_argument("--list", action="store_true",
                        help="list false urgent and missed urgent messages")
    args = parser.parse_args(argv)
    settings = Settings()
    prompts = prompts_dir(settings)
    data = read_triage(prompts / "triage")
    cache = VectorCache(args.cache)
    sets = [*args.questions, *args.quiet]
    if args.embed:
        texts = [e.text for e in data.examples] + sum(_refusal_texts(prompts), [])
        for path in sets:
            texts += [q.question.strip()[:MAX_CHARS] for q in load_questions(path)]
        print(f"embedded {cache.embed(texts)} new texts into {args.cache}")
    vectors = cache.get([e.text for e in data.examples])
    refusals = _refusals(cache, prompts, settings)
    if cache.missing:
        print(f"{len(cache.missing)} texts have no cached vector (first: "
              f"{cache.missing[0]!r}); run with --embed under /work/bin/heavy", file=sys.stderr)
        return 2
    start = time.perf_counter()
    triage = Triage(data, vectors)
    print(f"built in {time.perf_counter() - start:.2f} s")
    print("\n".join(cross_validation_lines(triage.report)))
    for path in sets:
        report_set(path, triage, refusals, cache, args.list and path not in args.quiet)
        if cache.missing:
            print(f"{path}: no cached vectors; run with --embed", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
