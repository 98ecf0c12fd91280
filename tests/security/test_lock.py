"""requirements.lock must pin every dependency pyproject.toml declares.

`make install` installs the lock with --require-hashes and then the project with
--no-deps, so a dependency added to pyproject.toml but not to the lock would simply be
missing on a fresh machine. This test names it instead.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
NOT_IN_LOCK = {"torch"}  # installed first, exactly, from its own command (Makefile)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^ \\;]+)", line)
        if match:
            pins[_norm(match.group(1))] = match.group(2)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in ("dev", "postgres"):
        wanted += project.get("optional-dependencies", {}).get(extra, [])
    return [Requirement(text) for text in wanted]


def test_every_declared_dependency_is_locked_at_a_version_it_allows() -> None:
    pins = _locked()
    problems = []
    for req in _declared():
        name = _norm(req.name)
        if name in NOT_IN_LOCK:
            continue
        if name not in pins:
            problems.append(f"{req.name}: declared in pyproject.toml, not in the lock")
        elif pins[name] not in req.specifier:
            problems.append(f"{req.name}: locked at {pins[name]}, declared {req.specifier}")
    assert not problems, "regenerate requirements.lock (see its header):\n" + "\n".join(problems)


def test_every_locked_line_carries_a_hash() -> None:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    pinned = [b for b in blocks if "==" in b.split("\n")[0]]
    unhashed = [b.split()[0] for b in pinned if "--hash=sha256:" not in b]
    assert not unhashed, unhashed
