"""Reading knowledge files as text: UTF-8, ``\\n`` line ends, problems instead of exceptions."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.models import Problem


def relative(path: Path, root: Path) -> str:
    """The path as problems and documents name it: relative to the folder, with '/'."""
    return path.relative_to(root).as_posix()


def decode(data: bytes, rel: str, problems: list[Problem]) -> str | None:
    """UTF-8 text with ``\\n`` line ends; None (and a problem) for anything else."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(
            Problem(rel, line, None, f"not UTF-8 text (byte {exc.start}): save it as UTF-8")
        )
        return None
    # Files edited on Windows must give the same lines and passages as anywhere else.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_bytes(path: Path, rel: str, problems: list[Problem]) -> bytes | None:
    # A link out of the folder would publish a file nobody reviewed as knowledge
    # (or read a secret such as /etc/passwd into the index): refused.
    root = path.parents[len(rel.split("/")) - 1]
    if not path.resolve().is_relative_to(root.resolve()):
        problems.append(Problem(
            rel, 1, None, "refused: a link to a file outside the knowledge folder; copy the "
            "file into the folder instead",
        ))
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.append(Problem(rel, 1, None, f"cannot be read: {exc.strerror or exc}"))
        return None


def read_text(path: Path, rel: str, problems: list[Problem]) -> str | None:
    data = read_bytes(path, rel, problems)
    return None if data is None else decode(data, rel, problems)
