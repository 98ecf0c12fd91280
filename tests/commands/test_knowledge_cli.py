"""``bot knowledge check``: in process through bot.cli.main, and as a real process."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

PROJECT = Path(__file__).parents[2]
FIXTURE = PROJECT / "tests" / "fixtures" / "knowledge" / "valid"
VISA = "guides/en/student-visa.md"
STATUS_LINE = (FIXTURE / VISA).read_text(encoding="utf-8").split("\n").index(
    "status: published"
) + 1
LINE = re.compile(r"^[^\s:]+:\d+: (\[[\w.]+\] )?(error|warning): \S.*$")
SUMMARY = re.compile(
    r"^(\d+) documents \((\d+) published, (\d+) drafts\) in (\d+) languages, "
    r"(\d+) referrals: (\d+) errors, (\d+) warnings$"
)


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(FIXTURE, root)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def break_it(root: Path) -> None:
    """Two errors and two warnings, in two files."""
    edit(root, VISA, "status: published", "status: final")
    edit(root, VISA, "It cannot make", "It cannot<br> make")  # warning: tag stripped
    edit(root, "referrals/registry.yaml", "kind: legal", "kind: lawyer")
    (root / "guides" / "en" / "old.txt").write_text("x", encoding="utf-8")  # warning


def check(argv: list[str], capsys) -> tuple[int, list[str], str]:
    code = main(["knowledge", "check", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_valid_folder_exits_0_with_only_the_summary(kdir: Path, capsys):
    code, lines, _ = check([str(kdir)], capsys)
    assert code == 0
    assert lines == [
        "4 documents (3 published, 1 drafts) in 2 languages, 3 referrals: 0 errors, 0 warnings"
    ]


def test_errors_exit_1_listed_errors_first(kdir: Path, capsys):
    break_it(kdir)
    code, lines, _ = check([str(kdir)], capsys)
    assert code == 1
    *problems, summary = lines
    assert all(LINE.match(line) for line in problems), problems
    severities = [re.search(r" (error|warning): ", line)[1] for line in problems]
    assert severities == ["error", "error", "warning", "warning"]
    status = "'status' must be one of published, draft, not 'final'"
    assert f"{VISA}:{STATUS_LINE}: [status] error: {status}" in problems
    assert any(
        line.startswith("referrals/registry.yaml:") and "[kind] error" in line for line in problems
    )
    m = SUMMARY.match(summary)
    assert m and m.groups() == ("3", "2", "1", "2", "2", "2", "2")


def test_warnings_alone_exit_0(kdir: Path, capsys):
    (kdir / "guides" / "en" / "old.txt").write_text("x", encoding="utf-8")
    code, lines, _ = check([str(kdir)], capsys)
    assert code == 0
    assert lines[0] == "guides/en/old.txt:1: warning: not read: guides are .md files"
    assert lines[-1].endswith(": 0 errors, 1 warnings")


def test_json_prints_only_the_problems(kdir: Path, capsys):
    break_it(kdir)
    code, lines, err = check([str(kdir), "--json"], capsys)
    assert code == 1
    problems = json.loads("\n".join(lines))
    assert [p["severity"] for p in problems] == ["error", "error", "warning", "warning"]
    assert set(problems[0]) == {"path", "line", "field", "message", "severity"}
    assert {"path": VISA, "line": STATUS_LINE, "field": "status"}.items() <= problems[0].items()
    assert SUMMARY.match(err.strip())


def test_missing_folder_exits_1(tmp_path: Path, capsys):
    code, lines, _ = check([str(tmp_path / "nowhere")], capsys)
    assert code == 1 and "does not exist" in lines[0]


# -- the real console entry ----------------------------------------------------------------


def run_bot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    clean["PYTHONPATH"] = str(PROJECT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_process_valid_folder(kdir: Path, tmp_path: Path):
    result = run_bot("knowledge", "check", str(kdir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "4 documents (3 published, 1 drafts) in 2 languages, 3 referrals: 0 errors, 0 warnings"
    ]


def test_process_invalid_folder(kdir: Path, tmp_path: Path):
    break_it(kdir)
    result = run_bot("knowledge", "check", str(kdir), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    *problems, summary = result.stdout.splitlines()
    assert len(problems) == 4 and all(LINE.match(line) for line in problems)
    assert SUMMARY.match(summary)


def test_process_default_dir_comes_from_settings(kdir: Path, tmp_path: Path):
    # No DIR: BOT_KNOWLEDGE_DIR, else ./knowledge.
    assert run_bot("knowledge", "check", cwd=tmp_path).returncode == 0
    break_it(kdir)
    moved = tmp_path / "elsewhere"
    kdir.rename(moved)
    result = run_bot("knowledge", "check", cwd=tmp_path, BOT_KNOWLEDGE_DIR=str(moved))
    assert result.returncode == 1 and len(result.stdout.splitlines()) == 5


def test_texts_a_language_lacks_are_warnings(kdir: Path, tmp_path: Path):
    prompts = tmp_path / "prompts"
    shutil.copytree(PROJECT / "prompts" / "strings", prompts / "strings")
    sw = prompts / "strings" / "sw.yaml"
    lines = sw.read_text(encoding="utf-8").splitlines()
    sw.write_text("\n".join(x for x in lines if not x.startswith("notice:")) + "\n",
                  encoding="utf-8")
    (prompts / "strings" / "am.yaml").unlink()

    result = run_bot("knowledge", "check", str(kdir), cwd=tmp_path, BOT_PROMPTS_DIR=str(prompts))
    assert result.returncode == 0, result.stderr  # warnings only: English stands in
    *problems, summary = result.stdout.splitlines()
    assert problems == [
        f"{sw}:1: [notice] warning: no sw text: the English one is shown instead",
        f"{prompts / 'strings' / 'am.yaml'}:1: warning: "
        "missing: every text is shown in English to am users",
    ]
    assert all(LINE.match(line) for line in problems)
    assert summary.endswith(": 0 errors, 2 warnings")


def test_packaged_texts_are_complete(kdir: Path, capsys):
    code, lines, _ = check([str(kdir)], capsys)
    assert code == 0 and not any("prompts" in line for line in lines)
