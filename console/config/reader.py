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
from console.i18n import Phrase, register


def show(value: object) -> str:
    """A value as TOML would spell it, for "got ..." in messages."""
    return str(shown(value))


def shown(value: object) -> str:
    """:func:`show`, as a phrase for a table or an array (said "表" / "数组" in zh-CN)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return Phrase("config.a_table")
    if isinstance(value, list):
        return Phrase("config.an_array")
    return str(value)


WORDS = register(
    {
        "config.unknown_key": ("未知的键 {key!r}", "unknown key {key!r}"),
        "config.allowed_keys": ("可用的键：{quoted}", "allowed keys: {names}"),
        "config.did_you_mean": ("是否要写 {name!r}？", "did you mean {name!r}?"),
        "config.missing_key": ("缺少必填的键 {key!r}", "missing required key {key!r}"),
        "config.add_key": ("请添加 '{key} = ...'", "add '{key} = ...'"),
        "config.expected": ("应为{wanted}，实际为 {got}", "expected {wanted}, got {got}"),
        "config.expected_one_of": (
            "应为 {quoted} 之一；实际为 {got}",
            "expected one of {names}; got {got}",
        ),
        "config.want.int": ("整数", "an integer"),
        "config.want.int_range": ("整数 {lo}..{hi}", "an integer {lo}..{hi}"),
        "config.want.int_min": ("整数（>= {lo}）", "an integer >= {lo}"),
        "config.want.nonempty": ("非空文字", "a non-empty string"),
        "config.want.text": ("文字", "a string"),
        "config.want.flag": (" true 或 false", "true or false"),
        "config.want.array": ("数组 [...]", "an array [...]"),
        "config.want.table": ("表", "a table"),
        "config.a_table": ("表", "a table"),
        "config.an_array": ("数组", "an array"),
        "config.hint.unquote": ("去掉数字两边的引号", "remove the quotes around the number"),
        "config.hint.quote": ('文字请加 "双引号"', 'put text in "double quotes"'),
        "config.hint.flag": ("写 true 或 false，不加引号", "write true or false without quotes"),
        "config.hint.blocks": ("请用 [[{key}]] 块", "use [[{key}]] blocks"),
    }
)


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
                    _did_you_mean(close[0])
                    if close
                    else Phrase("config.allowed_keys", **_names(sorted(allowed)))
                )
                problems.add((*path, key), Phrase("config.unknown_key", key=key), hint)

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            self.p.add(
                self.path, Phrase("config.missing_key", key=key), Phrase("config.add_key", key=key)
            )
        return default

    def integer(
        self, key: str, default: Any = _MISSING, *, lo: int | None = None, hi: int | None = None
    ) -> Any:
        """An integer in ``lo..hi`` (inclusive), ``default`` if absent, ``None`` if wrong."""
        value = self._get(key, default)
        if value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, int) or not _in(value, lo, hi):
            if lo is not None and hi is not None:
                wanted = Phrase("config.want.int_range", lo=lo, hi=hi)
            elif lo is not None:
                wanted = Phrase("config.want.int_min", lo=lo)
            else:
                wanted = Phrase("config.want.int")
            hint = Phrase("config.hint.unquote") if _numeric_str(value) else None
            self.p.add((*self.path, key), _expected(wanted, value), hint)
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
            wanted = Phrase("config.want.nonempty" if nonempty else "config.want.text")
            self.p.add(
                (*self.path, key),
                _expected(wanted, value),
                Phrase("config.hint.quote") if not isinstance(value, str) else None,
            )
            return None
        if choices is not None and value not in choices:
            close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
            hint = _did_you_mean(close[0]) if close else None
            self.p.add(
                (*self.path, key),
                Phrase("config.expected_one_of", **_names(choices), got=show(value)),
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
                _expected(Phrase("config.want.flag"), value),
                Phrase("config.hint.flag"),
            )
            return None
        return value

    def array(self, key: str) -> list[tuple[KeyPath, Any]]:
        """Items of an optional array, each with its own path."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.p.add((*self.path, key), _expected(Phrase("config.want.array"), value))
            return []
        return [((*self.path, key, i), item) for i, item in enumerate(value)]

    def table(self, key: str, allowed: Collection[str]) -> Table:
        """An optional sub-table (empty if absent)."""
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.p.add((*self.path, key), _expected(Phrase("config.want.table"), value))
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
                self.p.add(
                    path,
                    _expected(Phrase("config.want.table"), item),
                    Phrase("config.hint.blocks", key=key),
                )
                continue
            yield Table(self.p, item, path, allowed)


def _expected(wanted: Phrase, value: object) -> Phrase:
    """``expected an integer 1..9, got "abc"``."""
    return Phrase("config.expected", wanted=wanted, got=shown(value))


def _names(names: Collection[str]) -> dict[str, str]:
    """The words a file may hold, as a list: plain in English, quoted in zh-CN (where
    they are the only ASCII words of the sentence)."""
    return {"names": ", ".join(names), "quoted": "、".join(f'"{n}"' for n in names)}


def _did_you_mean(name: str) -> Phrase:
    return Phrase("config.did_you_mean", name=name)


def _in(value: int, lo: int | None, hi: int | None) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _numeric_str(value: object) -> bool:
    return isinstance(value, str) and value.strip().lstrip("-").isdigit()
