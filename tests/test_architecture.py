"""The package's shape: the layer contract in pyproject.toml holds, no import cycles
(TYPE_CHECKING imports included), no module imports another's private names, and the
pipeline names no feature."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

from helpers import REPO

SRC = REPO / "src" / "mmsite"


def test_layer_contracts_are_kept(monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    assert lint_imports() == 0  # prints the broken contract and its import chains


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("mmsite", include_external_packages=False)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain is not None:
                cycles.append(" -> ".join((module, *chain)))
    assert cycles == []


def _imports(path: Path) -> list[tuple[str, str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mmsite"):
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
    return found


def test_no_module_imports_private_names() -> None:
    private = [
        f"{path.relative_to(REPO)}:{line}: {module}.{name}"
        for path in sorted(SRC.rglob("*.py"))
        for module, name, line in _imports(path)
        if name.startswith("_") and not name.startswith("__")
    ]
    assert private == []


def test_the_pipeline_names_no_feature() -> None:
    """Features register (mmsite.features.builtin); the engine reads the registry."""
    for name in ("pipeline.py", "build.py"):
        modules = {module for module, _, _ in _imports(SRC / "engine" / name)}
        named = sorted(
            m
            for m in modules
            if m.startswith("mmsite.features.")
            and m
            not in ("mmsite.features.registry", "mmsite.features.site", "mmsite.features.builtin")
        )
        assert named == [], name
