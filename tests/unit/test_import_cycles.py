"""No module of chalicelib imports, directly or through others, a module that imports it back (lazy imports too)."""
from __future__ import annotations

from pathlib import Path

from tests.unit.import_graph import ROOT, imports_of, module_name


def _imports(path: Path, modules: set[str]) -> set[str]:
    """chalicelib modules a file imports anywhere in it (relative imports resolved)."""
    name = module_name(path)
    found: set[str] = set()
    for base, names in imports_of(path.read_text(), name, is_package=path.name == "__init__.py"):
        found |= {base} | {f"{base}.{n}" for n in names}
    return {m for m in found if m in modules and m != name}


def _graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    return {name: _imports(path, set(files)) for name, path in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_graph_sees_imports():
    graph = _graph()
    assert "chalicelib.store.uow" in graph["chalicelib.store.repository"]
    assert "chalicelib.domain.errors" in graph["chalicelib.store.uow"]


def test_chalicelib_has_no_import_cycle():
    assert _cycle(_graph()) is None
