"""Imports point one way: console.tui -> console -> drivers <- fakes.

Parsed with ``ast`` (nothing is imported), so a forbidden edge fails even in a module
that would not import cleanly.  ``importlib.import_module("fakes.plugin")`` is a string,
not an import statement, and is how the console reaches the simulator.
"""

from __future__ import annotations

import ast
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
