"""Neither package has an import cycle: a module's imports, at its top or inside a
function, never lead back to it. A helper two modules need lives in a module that
imports neither (feedback_api/web.py, for example)."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT


def import_graph(package: str) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports (relative imports)."""
    graph: dict[str, set[str]] = {}
    for file in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in file.parts:
            continue
        parts = list(file.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        here = parts if is_package else parts[:-1]
        imported = set()
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = here[: len(here) - (node.level - 1)]
            if node.module:
                imported.add(".".join([*base, node.module]))
            else:
                imported |= {".".join([*base, alias.name]) for alias in node.names}
        graph[".".join(parts)] = imported
    return {module: {m for m in imports if m in graph and m != module}
            for module, imports in graph.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle once, as the path from its smallest module back to it."""
    found = set()
    for start in graph:
        stack = [(start, [start])]
        while stack:
            module, path = stack.pop()
            for other in graph[module]:
                if other == start:
                    found.add(tuple(path))
                elif other not in path and other > start:
                    stack.append((other, [*path, other]))
    return [list(path) for path in sorted(found)]


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", ["site_builder", "feedback_api"])
def test_no_import_cycles(package):
    graph = import_graph(package)
    assert len(graph) > 10
    assert cycles(graph) == []
