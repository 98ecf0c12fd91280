"""A fresh copy of the valid fixture folder per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from knowledge_folder import FIXTURE, Folder


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    root = tmp_path / "knowledge"
    shutil.copytree(FIXTURE, root)
    return Folder(root)
