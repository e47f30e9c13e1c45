"""Imports point one way: console.tui -> console -> drivers <- fakes, and never in a circle.

Parsed with ``ast`` (nothing is imported), so a forbidden edge fails even in a module
that would not import cleanly.  ``importlib.import_module("fakes.plugin")`` is a string,
not an import statement, and is how the console reaches the simulator.

What counts as an edge of the cycle check (between modules of console/, drivers/, fakes/):
every import statement, **including imports inside functions** -- a lazy import is still
a dependency, and moving an import into a function is the usual way to hide a cycle rather
than remove it -- but **not** imports under ``if TYPE_CHECKING:``, which never run.  An
edge goes to the most specific module named (``from a.b import c`` is ``a.b.c`` when that
is a module, else ``a.b``); the parent packages that Python also initialises are not
edges, or every package whose ``__init__`` re-exports would be a cycle with its children.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_in(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import statement in ``source``."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def forbidden(module: str) -> frozenset[str]:
    """Top-level packages that ``module`` must not import."""
    if module.split(".")[0] == "drivers":
        return frozenset({"console", "fakes", "textual"})
    if module.split(".")[0] == "fakes":
        return frozenset({"console", "textual"})
    if module == "console.tui" or module.startswith("console.tui."):
        return frozenset({"fakes"})
    if module.split(".")[0] == "console":
        return frozenset({"textual", "fakes"})
    return frozenset()


def violations() -> list[str]:
    problems = []
    for package in ("console", "drivers", "fakes"):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = module_name(path)
            source = path.read_text(encoding="utf-8")
            for line, name in imports_in(source, module, path.name == "__init__.py"):
                if name.split(".")[0] in forbidden(module):
                    problems.append(f"{path.relative_to(ROOT)}:{line}: {module} imports {name}")
    return problems


PACKAGES = ("console", "drivers", "fakes")

# Cycles tolerated for now (none left: the last one, paging.cli -> service.api ->
# service.host, went when the page document moved to console/paging/document.py).  The
# test fails when a listed one is gone, so the list can only shrink.
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_time_imports(nodes: Iterator[ast.AST]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements that can run: everywhere except ``if TYPE_CHECKING:`` bodies."""
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _type_checking(node):
            yield from _run_time_imports(iter(node.orelse))
        else:
            yield from _run_time_imports(ast.iter_child_nodes(node))


def module_edges(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules in ``known`` that ``module`` imports (run-time imports only)."""
    package = module if is_package else module.rpartition(".")[0]
    out: set[str] = set()
    for node in _run_time_imports(iter(ast.parse(source).body)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                out.add(name)
    return out


def import_graph() -> dict[str, set[str]]:
    paths = {
        module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }
    known = set(paths)
    return {
        module: module_edges(
            path.read_text(encoding="utf-8"), module, path.name == "__init__.py", known
        )
        for module, path in sorted(paths.items())
    }


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_no_import_cycles() -> None:
    found = set(cycles(import_graph()))
    new = sorted(" -> ".join(sorted(c)) for c in found - KNOWN_CYCLES)
    assert new == [], "import cycles (break them; see this module's docstring for what counts)"
    gone = sorted(" -> ".join(sorted(c)) for c in KNOWN_CYCLES - found)
    assert gone == [], "these known cycles are broken now: remove them from KNOWN_CYCLES"


def test_cycle_check_sees_lazy_imports_and_ignores_type_checking() -> None:
    known = {"pkg", "pkg.a", "pkg.b", "pkg.c"}
    a = "from pkg import b\n"
    b = "def f():\n    from pkg.c import thing\n"
    c = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pkg import a\nelse:\n    import os\n"
    )
    graph = {
        "pkg.a": module_edges(a, "pkg.a", False, known),
        "pkg.b": module_edges(b, "pkg.b", False, known),
        "pkg.c": module_edges(c, "pkg.c", False, known),
    }
    assert graph == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": set()}
    assert cycles(graph) == []
    graph["pkg.c"] = module_edges("from . import a\n", "pkg.c", False, known)
    assert cycles(graph) == [frozenset({"pkg.a", "pkg.b", "pkg.c"})]


def test_no_forbidden_imports() -> None:
    assert violations() == []


def test_the_packages_exist() -> None:
    for package in ("console", "drivers", "fakes"):
        assert (ROOT / package / "__init__.py").is_file()


@pytest.mark.parametrize(
    ("module", "imported", "bad"),
    [
        ("drivers.pei.core", "console.config", True),
        ("drivers.pei.core", "textual.app", True),
        ("drivers.pei.core", "fakes.plugin", True),
        ("fakes.plugin", "drivers.pei", False),
        ("fakes.plugin", "console", True),
        ("fakes.plugin", "textual", True),
        ("console.config", "drivers.errors", False),
        ("console.simulator", "fakes.plugin", True),
        ("console.cli", "textual", True),
        ("console.tui.app", "textual.app", False),
        ("console.tui.app", "console.config", False),
        ("console.tui.app", "fakes", True),
    ],
)
def test_rules(module: str, imported: str, bad: bool) -> None:
    assert (imported.split(".")[0] in forbidden(module)) is bad


def test_relative_and_lazy_imports_are_seen() -> None:
    source = (
        "import importlib\n"
        "from ..console import x\n"
        "from . import y\n"
        "def f():\n"
        "    import textual.app\n"
        "    importlib.import_module('fakes.plugin')\n"
    )
    found = imports_in(source, "drivers.pei.core")
    assert found == [
        (1, "importlib"),
        (2, "drivers.console"),
        (3, "drivers.pei"),
        (5, "textual.app"),
    ]


def test_tests_are_packages_with_no_path_settings() -> None:
    """Every test folder is a package, so a helper is imported as ``tests.<dir>.<module>``;
    pytest's ``pythonpath`` (a path edit by configuration) is not used."""
    folders = {p.parent for p in (ROOT / "tests").rglob("*.py") if "__snapshots__" not in p.parts}
    missing = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())
    assert missing == []
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "pythonpath" not in config["tool"]["pytest"]["ini_options"]


def test_no_sys_path_edits_in_tests() -> None:
    """Helpers are imported through the ``tests`` package, not per-file hacks."""
    edits = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "path"
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            ):
                edits.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert edits == []
