"""``bot ask``, ``bot ingest`` and ``bot eval`` as real processes (``python -m bot``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, STARTER_KNOWLEDGE

QUESTION = "My employer took my passport and will not give it back. What can I do?"
VISA_EN = "guides/en/student-visa.md"
FILES = sorted([
    "guides/en/detained.md", VISA_EN, "guides/fr/student-visa.md",
    "guides/en/drafts/fake-offers.md", "referrals/registry.yaml",
])


def bot(*args: str, cwd: Path, knowledge: Path, data: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(PYTHONPATH=str(ROOT), BOT_KNOWLEDGE_DIR=str(knowledge), BOT_DATA_DIR=str(data))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


# -- bot ask ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def asked_json(starter_index: Path, tmp_path_factory) -> dict:
    cwd = tmp_path_factory.mktemp("cwd")
    result = bot("ask", "--json", QUESTION, cwd=cwd, knowledge=STARTER_KNOWLEDGE,
                 data=starter_index)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # only the answer object on stdout


def test_ask_json_prints_only_the_answer_object(asked_json: dict):
    assert {"status", "urgent", "language", "answer", "citations", "referrals"} <= set(asked_json)
    assert not {"sentences", "notice", "intro"} & set(asked_json)
    assert asked_json["status"] == "answered" and asked_json["language"] == "en"
    assert "passport-taken" in [c["doc_id"] for c in asked_json["citations"]]


def test_ask_readable_prints_the_answer_text(asked_json: dict, starter_index: Path, tmp_path):
    result = bot("ask", QUESTION, cwd=tmp_path, knowledge=STARTER_KNOWLEDGE, data=starter_index)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == asked_json["answer"]
    assert not result.stdout.lstrip().startswith("{")


def test_ask_options_reach_the_answer(starter_index: Path, tmp_path: Path):
    result = bot("ask", "--json", "--lang", "fr", "--channel", "sms", "--country", "ru", QUESTION,
                 cwd=tmp_path, knowledge=STARTER_KNOWLEDGE, data=starter_index)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["language"] == "fr"
    assert len(answer["answer"]) <= 700  # the SMS profile
    assert all(c["lang"] == "fr" for c in answer["citations"] if c["doc_id"] == "passport-taken")


def test_ask_without_an_index_says_to_run_ingest(tmp_path: Path):
    result = bot("ask", "--json", QUESTION, cwd=tmp_path, knowledge=STARTER_KNOWLEDGE,
                 data=tmp_path / "empty")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "bot ingest" in result.stderr


# -- bot ingest ---------------------------------------------------------------------------


def summary(stdout: str) -> tuple[int, int, int, int]:
    m = re.search(
        r"^(\d+) added, (\d+) updated, (\d+) removed, (\d+) unchanged files;", stdout, re.M
    )
    assert m, stdout
    return tuple(int(g) for g in m.groups())  # type: ignore[return-value]


def test_ingest_prints_the_summary(knowledge_copy: Path, tmp_path: Path):
    data = tmp_path / "data"
    first = bot("ingest", "--quiet", cwd=tmp_path, knowledge=knowledge_copy, data=data)
    assert first.returncode == 0, first.stderr
    assert summary(first.stdout) == (5, 0, 0, 0)
    assert [line.split() for line in first.stdout.splitlines() if line.startswith("  ")] == [
        ["added", f] for f in FILES
    ]
    assert re.search(r"^index generation g\w+", first.stdout, re.M)

    again = bot("ingest", "--quiet", cwd=tmp_path, knowledge=knowledge_copy, data=data)
    assert again.returncode == 0, again.stderr
    assert summary(again.stdout) == (0, 0, 0, 5)
    assert "nothing changed" in again.stdout and "(0 embedded," in again.stdout

    visa = knowledge_copy / VISA_EN
    visa.write_text(visa.read_text(encoding="utf-8").replace("Call your embassy",
                                                            "Call your embassy today"))
    (knowledge_copy / "guides/en/detained.md").unlink()
    third = bot("ingest", "--quiet", "--knowledge", str(knowledge_copy), cwd=tmp_path,
                knowledge=tmp_path / "not-this-one", data=data)
    assert third.returncode == 0, third.stderr
    assert summary(third.stdout) == (0, 1, 1, 3)
    assert f"  updated  {VISA_EN}" in third.stdout
    assert "  removed  guides/en/detained.md" in third.stdout


def test_ingest_of_an_invalid_file_exits_1_naming_file_and_line(knowledge_copy: Path, tmp_path):
    visa = knowledge_copy / VISA_EN
    lines = visa.read_text(encoding="utf-8").split("\n")
    line = lines.index("status: published") + 1
    lines[line - 1] = "status: final"
    visa.write_text("\n".join(lines), encoding="utf-8")

    result = bot("ingest", "--quiet", cwd=tmp_path, knowledge=knowledge_copy, data=tmp_path / "d")
    assert result.returncode == 1
    assert f"{VISA_EN}:{line}: [status] error:" in result.stderr
    assert "nothing was changed" in result.stderr
    assert not (tmp_path / "d" / "index" / "CURRENT").exists()


# -- bot eval -----------------------------------------------------------------------------

SMALL_SET = """\
- question: My employer took my passport, what can I do?
  lang: en
  expect_docs: [passport-taken]
- question: The police detained me, can I have an interpreter?
  lang: en
  expect_docs: [detained-rights]
- question: How do I bake a chocolate cake?
  lang: en
  expect_status: no_answer
"""


def test_eval_json_prints_the_metrics(starter_index: Path, tmp_path: Path):
    questions = tmp_path / "small.yaml"
    questions.write_text(SMALL_SET, encoding="utf-8")
    result = bot("eval", "--json", "--questions", str(questions), cwd=tmp_path,
                 knowledge=STARTER_KNOWLEDGE, data=starter_index)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    overall = metrics["overall"]
    assert overall["questions"] == 3 and overall["answerable"] == 2
    assert overall["out_of_scope"] == 1
    for key in ("recall@1", "recall@5", "mrr", "no_answer_accuracy"):
        assert 0.0 <= overall[key] <= 1.0
    assert overall["recall@5"] == 1.0 and overall["no_answer_accuracy"] == 1.0
    assert set(metrics["languages"]) == {"en"}
    assert metrics["embedder"] == "e5" and metrics["questions_file"] == str(questions)


def test_eval_with_a_broken_question_set_names_the_line(tmp_path: Path, starter_index: Path):
    questions = tmp_path / "broken.yaml"
    questions.write_text(SMALL_SET + "- lang: en\n", encoding="utf-8")
    result = bot("eval", "--json", "--questions", str(questions), cwd=tmp_path,
                 knowledge=STARTER_KNOWLEDGE, data=starter_index)
    assert result.returncode == 2
    assert f"{questions}:10:" in result.stderr and result.stdout == ""
