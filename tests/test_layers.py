"""The layers of ``bot/``: no import runs upward, and no two parts import each other in a circle.

Top to bottom (docs/architecture.md); a part may import from its own layer or
any layer below, never from one above:

    cli, __main__, commands, app     the command line and the HTTP application
    channels, evaluation             WhatsApp, SMS, the web's rendering; the question sets
    advisor                          one question in, one checked answer out
    retrieval, documents             dense and lexical search, fused; reading a photographed paper
    index, store                     Chroma, the snapshot, the embedders; the database
    knowledge                        the knowledge folder: files, validation, passages
    config, errors, text, __init__   settings, the exception tree, shared text vocabulary

Every import counts, also one inside a function or under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bot"
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli", "__main__", "commands", "app"),
    ("channels", "evaluation"),
    ("advisor",),
    ("retrieval", "documents"),
    ("index", "store"),
    ("knowledge",),
    ("config", "errors", "text", "__init__"),
)
Edge = tuple[str, str, str, int]  # (from part, to part, file, line)


def part_of(path: Path, root: Path) -> str:
    """The part a file belongs to: its top-level package or module under the root."""
    first = path.relative_to(root).parts[0]
    return first.removesuffix(".py")


def imported_parts(node: ast.AST, root: Path) -> Iterator[tuple[str, int]]:
    """The parts of the package an import statement names, with its line."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        if node.module == root.name:  # from bot import app (a part), __version__ (not one)
            names = [f"{root.name}.{alias.name}" for alias in node.names]
        else:
            names = [node.module]
    for name in names:
        pieces = name.split(".")
        if pieces[0] != root.name:
            continue
        part = pieces[1] if len(pieces) > 1 else "__init__"
        is_part = (root / part).is_dir() or (root / f"{part}.py").is_file()
        yield (part if is_part else "__init__"), node.lineno


def edges(root: Path) -> list[Edge]:
    """Every import from one part of the package to another."""
    found: list[Edge] = []
    for path in sorted(root.rglob("*.py")):
        source = part_of(path, root)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for target, line in imported_parts(node, root):
                if target != source:
                    found.append((source, target, str(path.relative_to(root.parent)), line))
    return found


def layer_of(part: str) -> int:
    for i, parts in enumerate(LAYERS):
        if part in parts:
            return i
    raise KeyError(part)


def upward(found: list[Edge]) -> list[str]:
    return [f"{file}:{line}: {a} ({layer_of(a)}) imports {b} ({layer_of(b)}), a layer above"
            for a, b, file, line in found if layer_of(b) < layer_of(a)]


def cycles(found: list[Edge]) -> list[list[str]]:
    """Circles in the graph of parts, each as the parts along it."""
    graph: dict[str, set[str]] = {}
    for a, b, _, _ in found:
        graph.setdefault(a, set()).add(b)
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circles.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return circles


def unplaced(root: Path) -> list[str]:
    parts = {part_of(p, root) for p in root.rglob("*.py")}
    placed = {p for layer in LAYERS for p in layer}
    return sorted(parts - placed)


def test_every_part_of_the_package_has_a_layer():
    assert unplaced(PACKAGE) == [], "add the new part to LAYERS (and docs/architecture.md)"


def test_no_import_runs_upward():
    assert upward(edges(PACKAGE)) == []


def test_no_parts_import_each_other_in_a_circle():
    assert cycles(edges(PACKAGE)) == []


# The checks themselves, on a small package written here: they do fail.


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    root = tmp_path / "bot"
    for name, text in {
        "__init__.py": "",
        "config.py": "",
        "advisor/__init__.py": "",
        "advisor/advisor.py": "from bot.config import x\n",
        "index/__init__.py": "",
        "index/view.py": "def late():\n    from bot.advisor.advisor import Advisor\n",
        "store/db.py": "import bot.index.view\n",
        "index/more.py": "from bot import store\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_checks_catch_an_upward_import_and_a_circle(tiny: Path):
    found = edges(tiny)
    [up] = upward(found)
    assert up.startswith("bot/index/view.py:2: index (4) imports advisor (2)")
    assert ["index", "advisor"] not in [c[:2] for c in cycles(found)]  # one way only
    assert ["index", "store", "index"] in cycles(found)
    assert unplaced(tiny) == []
