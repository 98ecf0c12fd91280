"""Learn the order of the first guides (``prompts/ranking.yaml``) and measure it held out.

    /work/bin/heavy .venv/bin/python -m bench.rank_learned --collect   # the model, ~1 min
    .venv/bin/python -m bench.rank_learned [--write]                    # no model, seconds

``--collect`` runs retrieval (the hand-set fusion alone, ``learned`` off) on every
answerable question of ``--questions`` (default ``tests/eval/questions.yaml``) and
keeps each question's candidate guides, their features
(``bot.retrieval.learned.features``), the hand fusion's ranking and the label in
``--cache`` (default ``/tmp/rank-learned.pkl``). Without it, the cache is read.

The model is a conditional logit: for each question, a softmax over its
candidate guides of a linear score, fitted to put an expected guide first
(L2-penalised, on features scaled to unit spread, the scale folded back into
the coefficients). It orders only the hand fusion's first ``DEPTH`` guides, so
recall@5 is the hand fusion's. The report compares it with the hand fusion on
held-out folds grouped by question: random fifths (three seeds), each language
held out, and without the ``questions`` signal (a folder without example
questions). ``--write`` fits on every question and writes the coefficients.
"""

from __future__ import annotations

import argparse
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import minimize

from bot.config import PROMPTS_DIR
from bot.retrieval.guides import DEFAULT_WEIGHTS, MISSING
from bot.retrieval.learned import FEATURES, RANKING_FILE, LearnedRanker

DEPTH = 5  # how many of the hand fusion's first guides the model orders
PENALTY = 1.0  # L2 on the scaled coefficients (0.1 to 10 gave the same figures)
CACHE = Path("/tmp/rank-learned.pkl")


@dataclass
class Case:
    """One answerable question as the ranking saw it."""

    lang: str
    translated: bool  # an expected guide exists in the question's language
    expected: tuple[str, ...]
    guides: list[str]  # the candidate guides (the fused ranking's first twelve)
    hand_order: list[int]  # their order under the hand fusion
    ranked: list[str]  # the hand fusion's whole ranking of guides
    features: dict[str, np.ndarray]

    def matrix(self, names: Sequence[str]) -> np.ndarray:
        n = len(self.guides)
        return np.stack([np.nan_to_num(self.features.get(k, np.zeros(n)), nan=MISSING)
                         for k in names], axis=1)

    @property
    def labels(self) -> np.ndarray:
        return np.array([g in self.expected for g in self.guides])


def collect(questions: Path) -> list[Case]:
    from bot.advisor.runtime import build_runtime
    from bot.config import get_settings
    from bot.evaluation.questions import load_questions
    from bot.retrieval.learned import features
    from bot.retrieval.retriever import retrieve

    runtime = build_runtime(get_settings())
    view = runtime.watcher.view
    hand = DEFAULT_WEIGHTS.with_weight("learned", 0.0)
    cases = []
    try:
        for q in load_questions(questions):
            if not (q.expect_docs and q.expect_status == "answered"):
                continue
            found = retrieve(view, runtime.embedder, q.question, lang=q.lang,
                             country=q.country, weights=hand)
            table = found.guides
            if table is None:
                continue
            cases.append(Case(
                lang=q.lang or "en",
                translated=any((d, q.lang) in view.documents for d in q.expect_docs)
                if q.lang else True,
                expected=q.expect_docs, guides=table.guides, hand_order=table.hand_order(),
                ranked=found.documents(), features=features(table, view, q.country)))
    finally:
        runtime.close()
    return cases


def fit(cases: Sequence[Case], names: Sequence[str], penalty: float = PENALTY) -> np.ndarray:
    """Coefficients of the conditional logit over each case's candidates."""
    usable = [c for c in cases if c.labels.any()]
    matrices = [c.matrix(names) for c in usable]
    labels = [c.labels for c in usable]
    spread = np.concatenate(matrices).std(axis=0) + 1e-9
    scaled = [m / spread for m in matrices]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, y in zip(scaled, labels, strict=True):
            s = x @ w
            e = np.exp(s - s.max())
            p = e / e.sum()
            hit = e[y].sum()
            total -= np.log(hit / e.sum())
            grad -= (x[y] * (e[y] / hit)[:, None]).sum(axis=0) - p @ x
        n = len(scaled)
        return total / n + penalty * (w @ w) / (2 * n), grad / n + penalty * w / n

    w = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B").x
    return np.asarray(w / spread)


def learned_ranking(case: Case, ranker: LearnedRanker) -> list[str]:
    order = ranker.reorder(case.hand_order, ranker.scores(case.features, len(case.guides)))
    head = [case.guides[i] for i in order[: ranker.depth]]
    return head + [g for g in case.ranked if g not in head]


def figures(cases: Sequence[Case], rankings: Sequence[list[str]]) -> dict[str, float]:
    r1 = r5 = rr = 0.0
    cross = cross5 = 0
    for case, ranked in zip(cases, rankings, strict=True):
        rank = next((i for i, g in enumerate(ranked, 1) if g in case.expected), None)
        r1 += rank == 1
        r5 += rank is not None and rank <= 5
        rr += 1 / rank if rank else 0.0
        if not case.translated:
            cross += 1
            cross5 += rank is not None and rank <= 5
    n = max(len(cases), 1)
    return {"R@1": r1 / n, "R@5": r5 / n, "MRR": rr / n,
            "cross R@5": cross5 / cross if cross else float("nan")}


def held_out(cases: Sequence[Case], folds: Sequence[set[int]],
             names: Sequence[str]) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in cases]
    for test in folds:
        train = [c for i, c in enumerate(cases) if i not in test]
        ranker = LearnedRanker(dict(zip(names, fit(train, names).tolist(), strict=True)), DEPTH)
        for i in test:
            out[i] = learned_ranking(cases[i], ranker)
    return out


def without_questions(case: Case) -> Case:
    """The case as a folder without example questions would rank it."""
    hand = np.zeros(len(case.guides))
    for key, values in case.features.items():
        name = key.removesuffix("_own").removesuffix("_pivot")
        if key != "questions" and hasattr(DEFAULT_WEIGHTS, name):
            hand += getattr(DEFAULT_WEIGHTS, name) * np.nan_to_num(values, nan=MISSING)
    order = sorted(range(len(case.guides)), key=lambda i: (-hand[i], i))
    head = [case.guides[i] for i in order]
    return Case(case.lang, case.translated, case.expected, case.guides, order,
                head + [g for g in case.ranked if g not in head],
                {k: v for k, v in case.features.items() if k != "questions"})


def _line(name: str, f: dict[str, float]) -> str:
    return name.ljust(34) + "".join(f"{f[k]:>11.3f}" for k in ("R@1", "R@5", "MRR", "cross R@5"))


def report(cases: list[Case]) -> list[str]:
    names = list(FEATURES)
    lines = ["".ljust(34) + "".join(k.rjust(11) for k in ("R@1", "R@5", "MRR", "cross R@5"))]
    hand = [c.ranked for c in cases]
    lines.append(_line("hand fusion", figures(cases, hand)))
    for seed in range(3):
        order = np.random.default_rng(seed).permutation(len(cases))
        folds = [set(order[i::5].tolist()) for i in range(5)]
        lines.append(_line(f"learned, fifths held out (seed {seed})",
                           figures(cases, held_out(cases, folds, names))))
    langs = sorted({c.lang for c in cases})
    by_lang = [{i for i, c in enumerate(cases) if c.lang == lang} for lang in langs]
    learned = held_out(cases, by_lang, names)
    lines.append(_line("learned, each language held out", figures(cases, learned)))
    for lang, idx in zip(langs, by_lang, strict=True):
        part = sorted(idx)
        lines.append(_line(f"  {lang} ({len(part)}): hand", figures(
            [cases[i] for i in part], [hand[i] for i in part])))
        lines.append(_line(f"  {lang}: learned", figures(
            [cases[i] for i in part], [learned[i] for i in part])))
    bare = [without_questions(c) for c in cases]
    lines.append(_line("no questions: hand", figures(bare, [c.ranked for c in bare])))
    order = np.random.default_rng(0).permutation(len(cases))
    folds = [set(order[i::5].tolist()) for i in range(5)]
    lines.append(_line("no questions: learned (fifths)", figures(
        bare, held_out(bare, folds, [n for n in names if n != "questions"]))))
    return lines


def write(cases: Sequence[Case], path: Path) -> None:
    w = fit(cases, FEATURES)
    body = {"depth": DEPTH,
            "coefficients": {k: round(float(v), 4) for k, v in zip(FEATURES, w, strict=True)}}
    path.write_text(
        "# How the hand fusion's first guides are ordered (bot/retrieval/learned.py).\n"
        "# Written by `python -m bench.rank_learned --write` from tests/eval/questions.yaml;\n"
        "# regenerate rather than edit. Deleting this file keeps the hand fusion's order.\n"
        + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rank_learned")
    parser.add_argument("--questions", type=Path, default=Path("tests/eval/questions.yaml"))
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--collect", action="store_true", help="run retrieval (the model)")
    parser.add_argument("--write", action="store_true",
                        help=f"fit on every question and write prompts/{RANKING_FILE}")
    args = parser.parse_args(argv)
    if args.collect:
        cases = collect(args.questions)
        args.cache.write_bytes(pickle.dumps(cases))
    elif not args.cache.exists():
        parser.error(f"{args.cache} does not exist: run with --collect first")
    else:
        cases = pickle.loads(args.cache.read_bytes())
    print(f"{len(cases)} answerable questions of {args.questions}")
    print("\n".join(report(cases)))
    if args.write:
        write(cases, PROMPTS_DIR / RANKING_FILE)
        print(f"wrote {PROMPTS_DIR / RANKING_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
