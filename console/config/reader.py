"""Typed, position-aware access to parsed TOML tables.

The loader asks for ``table.int("issi", lo=1, hi=...)`` and gets either a value or
``None`` plus a recorded :class:`ConfigError` naming file, line and field.  Recording
instead of raising lets one run report every problem in a file, so a technician fixes
them all in one edit instead of one per try.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Collection, Iterator
from typing import Any

from console.config.locate import KeyPath, SourceMap, format_path
from console.errors import ConfigError


def show(value: object) -> str:
    """A value as TOML would spell it, for "got ..." in messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


class Problems:
    """Collects the problems found in one source text."""

    def __init__(self, text: str, source: str, *, hint: str | None = None) -> None:
        """``hint``: for problems added without one (default: the station file's)."""
        self.source = source
        self.map = SourceMap(text)
        self.errors: list[ConfigError] = []
        self.hint = hint

    def add(self, path: KeyPath, message: str, hint: str | None = None) -> None:
        self.errors.append(
            ConfigError(
                message,
                path=self.source,
                line=self.map.line_of(path),
                field=format_path(path) or None,
                hint=hint if hint is not None else self.hint,
            )
        )

    def raise_if_any(self) -> None:
        if self.errors:
            first, *rest = self.errors
            raise ConfigError(
                first.message,
                path=first.path,
                line=first.line,
                field=first.field,
                hint=first.hint,
                others=rest,
            )


_MISSING: Any = object()


class Table:
    """One TOML table at ``path``; unknown keys are reported on construction."""

    def __init__(
        self, problems: Problems, data: dict[str, Any], path: KeyPath, allowed: Collection[str]
    ) -> None:
        self.p = problems
        self.data = data
        self.path = path
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else "allowed keys: " + ", ".join(sorted(allowed))
                )
                problems.add((*path, key), f"unknown key {key!r}", hint)

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            self.p.add(self.path, f"missing required key {key!r}", f"add '{key} = ...'")
        return default

    def integer(
        self, key: str, default: Any = _MISSING, *, lo: int | None = None, hi: int | None = None
    ) -> Any:
        """An integer in ``lo..hi`` (inclusive), ``default`` if absent, ``None`` if wrong."""
        value = self._get(key, default)
        if value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, int) or not _in(value, lo, hi):
            wanted = "an integer" + (f" {lo}..{hi}" if lo is not None and hi is not None else "")
            if lo is not None and hi is None:
                wanted += f" >= {lo}"
            hint = "remove the quotes around the number" if _numeric_str(value) else None
            self.p.add((*self.path, key), f"expected {wanted}, got {show(value)}", hint)
            return None
        return value

    def text(
        self,
        key: str,
        default: Any = _MISSING,
        *,
        choices: Collection[str] | None = None,
        nonempty: bool = True,
    ) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if not isinstance(value, str) or (nonempty and not value.strip()):
            wanted = "a non-empty string" if nonempty else "a string"
            self.p.add(
                (*self.path, key),
                f"expected {wanted}, got {show(value)}",
                'put text in "double quotes"' if not isinstance(value, str) else None,
            )
            return None
        if choices is not None and value not in choices:
            close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}?" if close else None
            self.p.add(
                (*self.path, key),
                f"expected one of {', '.join(choices)}; got {show(value)}",
                hint,
            )
            return None
        return value

    def flag(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if not isinstance(value, bool):
            self.p.add(
                (*self.path, key),
                f"expected true or false, got {show(value)}",
                "write true or false without quotes",
            )
            return None
        return value

    def array(self, key: str) -> list[tuple[KeyPath, Any]]:
        """Items of an optional array, each with its own path."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.p.add((*self.path, key), f"expected an array [...], got {show(value)}")
            return []
        return [((*self.path, key, i), item) for i, item in enumerate(value)]

    def table(self, key: str, allowed: Collection[str]) -> Table:
        """An optional sub-table (empty if absent)."""
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.p.add((*self.path, key), f"expected a table, got {show(value)}")
            value = {}
        return Table(self.p, value, (*self.path, key), allowed)

    def renamed_table(
        self, key: str, old: str, allowed: Collection[str], old_allowed: Collection[str]
    ) -> tuple[Table, bool]:
        """The sub-table ``key``, or the same table under its former name ``old`` (True):
        files written before a rename keep loading.  Giving both is a mistake."""
        if key in self.data and old in self.data:
            self.p.add(
                (*self.path, old),
                f"[{old}] is the old name of [{key}], and both are given",
                f"move the keys of [{old}] into [{key}]",
            )
        if old in self.data and key not in self.data:
            return self.table(old, old_allowed), True
        return self.table(key, allowed), False

    def tables(self, key: str, allowed: Collection[str]) -> Iterator[Table]:
        """Each table of an optional array of tables (``[[key]]``)."""
        for path, item in self.array(key):
            if not isinstance(item, dict):
                self.p.add(path, f"expected a table, got {show(item)}", f"use [[{key}]] blocks")
                continue
            yield Table(self.p, item, path, allowed)


def _in(value: int, lo: int | None, hi: int | None) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _numeric_str(value: object) -> bool:
    return isinstance(value, str) and value.strip().lstrip("-").isdigit()
