"""Question sets for ``bot eval`` (format in DESIGN.md), read with clear errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import BotError

FIELDS = {
    "question", "lang", "country", "expect_docs", "expect_urgent", "expect_triage",
    "expect_status", "note",
}
TRIAGE_LEVELS = ("urgent", "sensitive", "routine")


class QuestionSetError(BotError):
    pass


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    lang: str | None
    country: str | None
    expect_docs: tuple[str, ...]
    expect_urgent: bool | None  # given, or implied by expect_triage
    expect_status: str
    line: int
    expect_triage: str | None = None  # urgent | sensitive | routine


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
        urgent = item.get("expect_urgent")
        if urgent is not None and not isinstance(urgent, bool):
            errors.append(f"{path}:{line}: [expect_urgent] must be true or false")
        level = item.get("expect_triage")
        if level is not None and level not in TRIAGE_LEVELS:
            errors.append(f"{path}:{line}: [expect_triage] must be one of "
                          f"{', '.join(TRIAGE_LEVELS)}, not {level!r}")
            level = None
        if level is not None:
            if urgent is not None and urgent != (level == "urgent"):
                errors.append(f"{path}:{line}: [expect_triage] {level} contradicts "
                              f"expect_urgent: {str(urgent).lower()}")
            urgent = level == "urgent"
        out.append(
            EvalQuestion(
                question=item["question"],
                lang=item.get("lang"),
                country=item.get("country"),
                expect_docs=tuple(docs),
                expect_urgent=urgent,
                expect_status=status,
                line=line,
                expect_triage=level,
            )
        )
    if errors:
        raise QuestionSetError("\n".join(errors))
    return out
