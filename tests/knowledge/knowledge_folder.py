"""A knowledge folder that tests can break one edit at a time (see conftest.py for the fixture)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import Knowledge, Problem

FIXTURE = Path(__file__).parents[1] / "fixtures" / "knowledge" / "valid"
# Fixed, so that review dates in the fixtures never start warning as real time passes.
TODAY = date(2026, 11, 29)


def unexpected(knowledge: Knowledge) -> list[Problem]:
    """Problems other than the fixture's one known warning (no French first steps)."""
    return [p for p in knowledge.problems if (p.path, p.field) != ("guides", "role")]


class Folder:
    def __init__(self, root: Path):
        self.root = root

    def path(self, rel: str) -> Path:
        return self.root / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        self.path(rel).parent.mkdir(parents=True, exist_ok=True)
        self.path(rel).write_text(text, encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, 1))

    def line(self, rel: str, needle: str) -> int:
        """The 1-based line of the first line of ``rel`` containing ``needle``."""
        for n, line in enumerate(self.read(rel).split("\n"), start=1):
            if needle in line:
                return n
        raise AssertionError(f"{needle!r} not in {rel}")

    def load(self, today: date = TODAY) -> Knowledge:
        return load_knowledge(self.root, today=today)

    @staticmethod
    def problem(knowledge: Knowledge, rel: str, field: str | None) -> Problem:
        """The one problem of ``rel`` about ``field``."""
        found = [p for p in knowledge.problems if p.path == rel and p.field == field]
        assert len(found) == 1, f"expected one problem [{field}] in {rel}: {knowledge.problems}"
        return found[0]
