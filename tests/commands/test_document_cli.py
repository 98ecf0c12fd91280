"""``bot document PATH`` as a real process (``python -m bot``), on the starter index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands.test_ask_cli import bot
from tests.conftest import STARTER_KNOWLEDGE
from tests.documents.pages import PAGES, PHONE, photograph, render


@pytest.fixture(scope="module")
def contract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "contract.jpg"
    path.write_bytes(photograph(render(PAGES["military_contract"]), PHONE))
    return path


def test_json_prints_only_the_answer_object_with_the_document(
        contract: Path, starter_index: Path, tmp_path: Path):
    result = bot("document", str(contract), "--json", "--lang", "fr", "--country", "ru",
                 cwd=tmp_path, knowledge=STARTER_KNOWLEDGE, data=starter_index)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # nothing else on standard output
    assert {"status", "urgent", "triage", "language", "answer", "citations", "referrals",
            "document"} <= set(data)
    assert data["language"] == "fr" and data["answer"].startswith("Ne signez pas")
    document = data["document"]
    assert document["kind"] == "military_contract" and document["confidence"] >= 0.5
    assert {"phrase": "контракт о прохождении военной службы",
            "translation": "contrat de service militaire"} in document["matched"]
    assert document["text_chars"] > 200
    assert "Менса" not in result.stdout + result.stderr  # the page's own words: nowhere


def test_readable_output_and_the_caption(contract: Path, starter_index: Path, tmp_path: Path):
    result = bot("document", str(contract), "--caption", "They are forcing me to sign this "
                 "contract right now, the officer is waiting", "--channel", "whatsapp",
                 cwd=tmp_path, knowledge=STARTER_KNOWLEDGE, data=starter_index)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Do not sign this paper yet.")
    assert "*Call for help now:*" in result.stdout


def test_a_missing_or_oversized_file_is_a_clear_error(starter_index: Path, tmp_path: Path):
    result = bot("document", str(tmp_path / "nope.jpg"), cwd=tmp_path,
                 knowledge=STARTER_KNOWLEDGE, data=starter_index)
    assert result.returncode == 2
    assert "nope.jpg: cannot be read" in result.stderr and result.stdout == ""
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024))
    result = bot("document", str(big), cwd=tmp_path, knowledge=STARTER_KNOWLEDGE,
                 data=starter_index)
    assert result.returncode == 2 and result.stdout == ""
    assert f"{big}: not read: the file is larger than 5 MB [too_large]" in result.stderr


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "the file is empty [empty]"),
    (b"just some notes, not a photo", "not a JPEG, PNG or WebP photo or a PDF "
     "[unsupported_type]"),
    (b"\xff\xd8\xff\xe0broken", "the file is damaged or cannot be decoded [unreadable]"),
])
def test_a_file_that_is_not_a_page_is_a_clear_error(starter_index: Path, tmp_path: Path,
                                                    content: bytes, expected: str):
    path = tmp_path / "paper.jpg"
    path.write_bytes(content)
    result = bot("document", str(path), "--json", cwd=tmp_path, knowledge=STARTER_KNOWLEDGE,
                 data=starter_index)
    assert result.returncode == 2 and result.stdout == ""
    assert f"{path}: not read: {expected}" in result.stderr
    assert "Traceback" not in result.stderr
