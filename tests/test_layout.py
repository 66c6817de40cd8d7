"""The package's shape: no module imports itself back, however indirectly."""

from __future__ import annotations

import ast
from pathlib import Path

import jobsearch_core

ROOT = Path(jobsearch_core.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in ROOT.rglob("*.py")}


def imports(name: str) -> set[str]:
    """The package's modules that `name` imports anywhere in it: at the top, inside a
    function, or for the type checker only."""
    tree = ast.parse(MODULES[name].read_text())
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


def test_no_import_cycles() -> None:
    """Drawn as a graph of explicit imports, the package has no cycle."""
    graph = {name: imports(name) for name in MODULES}
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for imported in sorted(graph[name]):
            if state.get(imported) == "open":
                cycles.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == [], "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_the_graph_is_read() -> None:
    """The scan sees imports at every level (else the test above would prove nothing)."""
    assert "jobsearch_core.plugins" in imports("jobsearch_core.log")  # inside a function
    assert "jobsearch_core.views.view" in imports("jobsearch_core.views.gaps")
