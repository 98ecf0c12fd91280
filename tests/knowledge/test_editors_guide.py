"""knowledge/README.md's walk-through works as written: copy the template, check, ingest, ask."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from bot.knowledge.models import Problem
from bot.knowledge.registry import load_registry

GUIDE = Path(__file__).resolve().parents[2] / "knowledge" / "README.md"


def _template() -> str:
    match = re.search(r"```markdown\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert match, "the editors' guide lost its template"
    return match.group(1)


def _bot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_walk_through_adds_a_document_that_gets_cited(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    env = dict(os.environ, BOT_KNOWLEDGE_DIR=str(knowledge_copy))
    env["BOT_DATA_DIR"] = str(tmp_path / "data")
    # Steps 1-3: copy the template, change the id, write sections that stand alone.
    text = _template().replace("id: passport-taken", "id: my-first-guide")
    text = text.replace("Write the first answer here...",
                        "If your employer keeps your passport, ask for a written receipt "
                        "and tell your embassy the same day.")
    text = text.replace("Write the next part here...",
                        "Only an authorised official may take an identity document.")
    (knowledge_copy / "guides" / "en" / "my-first-guide.md").write_text(text, encoding="utf-8")

    check = _bot("knowledge", "check", str(knowledge_copy), env=env)  # step 4
    assert check.returncode == 0, check.stdout + check.stderr
    ingest = _bot("ingest", "--quiet", env=env)  # step 5
    assert ingest.returncode == 0, ingest.stderr
    assert "added    guides/en/my-first-guide.md" in ingest.stdout
    ask = _bot("ask", "my boss keeps my passport, what do I do?", "--json", env=env)  # step 6
    assert ask.returncode == 0, ask.stderr
    answer = json.loads(ask.stdout)
    assert "my-first-guide" in [c["doc_id"] for c in answer["citations"]]
    assert "written receipt" in answer["answer"]


def _referral_example() -> str:
    match = re.search(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert match, "the editors' guide lost its referral example"
    return match.group(1)


def test_the_referral_examples_are_valid_entries(tmp_path: Path) -> None:
    """The registry example loads as written, and so does the commented `kind: own`
    example once an editor uncomments it."""
    example = _referral_example()
    uncommented = "\n".join(
        line[2:] if line.startswith(("# -", "#   ")) else line for line in example.splitlines()
    )
    for text, ids in ((example, {"unhcr-russia-hotline"}),
                      (uncommented, {"unhcr-russia-hotline", "our-hotline"})):
        root = tmp_path / f"k{len(ids)}"
        (root / "referrals").mkdir(parents=True)
        (root / "referrals" / "registry.yaml").write_text(text, encoding="utf-8")
        problems: list[Problem] = []
        registry = load_registry(root, date(2026, 12, 7), problems)
        assert [str(p) for p in problems] == []
        assert set(registry.referrals) == ids
    own = registry.referrals["our-hotline"]
    assert own.kind == "own" and own.urgent and own.tested_on is not None
