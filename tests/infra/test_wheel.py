"""The package as an image installs it: a wheel built from a copy of the sources, installed
into a fresh virtualenv outside the checkout, answers and checks the starter knowledge.

Offline: the wheel is built without build isolation, and the fresh virtualenv finds
the project's dependencies in this checkout's ``.venv`` (a ``.pth`` line) instead of
downloading them; every requirement the wheel declares is checked against them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import ROOT, STARTER_KNOWLEDGE

SOURCES = ("pyproject.toml", "README.md", "bot", "prompts")


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{cmd[:4]} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv (outside the checkout) with the built wheel installed in it."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, symlinks=True,  # bot/prompts stays a link
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, src / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(work / "dist"), str(src)], cwd=work)
    wheel = next((work / "dist").glob("bot-*.whl"))

    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work)
    site = next(venv.glob("lib/python3*/site-packages"))
    (site / "zz-project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index",
         "--ignore-installed", "--no-warn-script-location", str(wheel)], cwd=work)
    return venv


def clean_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("BOT_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               BOT_KNOWLEDGE_DIR=str(STARTER_KNOWLEDGE), BOT_DATA_DIR=str(data))
    return env


def test_the_wheel_carries_the_prompts_and_its_requirements_are_met(installed: Path,
                                                                    tmp_path: Path) -> None:
    probe = run([str(installed / "bin" / "python"), "-c",
                 "import bot, bot.config as c, json; "
                 "print(json.dumps([bot.__file__, str(c.PROMPTS_DIR)]))"],
                cwd=tmp_path, env=clean_env(tmp_path / "data"))
    package, prompts = json.loads(probe.stdout)
    assert Path(package).is_relative_to(installed)
    assert Path(prompts).is_relative_to(installed) and (Path(prompts) / "strings").is_dir()
    # Every requirement the wheel declares (the postgres extra too) is met offline.
    site = next(installed.glob("lib/python3*/site-packages"))
    dist = next(d for d in metadata.distributions(path=[str(site)]) if d.name == "bot")
    for line in dist.requires or []:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": "postgres"}):
            continue
        have = metadata.version(req.name)
        assert req.specifier.contains(have, prereleases=True), f"{req} but {have} installed"


def test_installed_bot_checks_and_answers_from_outside_the_checkout(
    installed: Path, starter_index: Path, tmp_path: Path
) -> None:
    env = clean_env(starter_index)
    bot = str(installed / "bin" / "bot")
    checked = run([bot, "knowledge", "check"], cwd=tmp_path, env=env)
    assert " 0 errors" in checked.stdout and not re.search(r"\b[1-9]\d* errors?\b", checked.stdout)
    ask = ["ask", "The police detained me. Can I call my consulate?", "--lang", "en", "--json"]
    answered = json.loads(run([bot, *ask], cwd=tmp_path, env=env).stdout)
    assert answered["status"] == "answered" and answered["citations"] and answered["referrals"]
    # The same answer as the checkout gives: the installed words, cues and examples are
    # the source tree's, none missing.
    checkout = run([sys.executable, "-m", "bot", *ask], cwd=ROOT, env=env)
    assert answered == json.loads(checkout.stdout)
