"""Question sets for ``bot eval`` (format in DESIGN.md), read with clear errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import BotError

FIELDS = {"question", "lang", "country", "expect_docs", "expect_urgent", "expect_status", "note"}


class QuestionSetError(BotError):
    pass


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    lang: str | None
    country: str | None
    expect_docs: tuple[str, ...]
    expect_urgent: bool | None
    expect_status: str
    line: int


def load_questions(path: Path) -> list[EvalQuestion]:
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionSetError(f"{path}: cannot read the question set: {exc}") from exc
    if not isinstance(data, list) or root is None:
        raise QuestionSetError(f"{path}:1: a question set is a YAML list of questions")
    out: list[EvalQuestion] = []
    errors: list[str] = []
    for node, item in zip(root.value, data, strict=True):
        line = node.start_mark.line + 1
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            errors.append(f"{path}:{line}: [question] each entry needs a `question` text")
            continue
        unknown = set(item) - FIELDS
        if unknown:
            errors.append(f"{path}:{line}: unknown field(s) {sorted(unknown)}")
        docs = item.get("expect_docs") or []
        status = item.get("expect_status") or ("answered" if docs else "no_answer")
        if status not in ("answered", "no_answer"):
            errors.append(f"{path}:{line}: [expect_status] must be answered or no_answer")
        out.append(
            EvalQuestion(
                question=item["question"],
                lang=item.get("lang"),
                country=item.get("country"),
                expect_docs=tuple(docs),
                expect_urgent=item.get("expect_urgent"),
                expect_status=status,
                line=line,
            )
        )
    if errors:
        raise QuestionSetError("\n".join(errors))
    return out
