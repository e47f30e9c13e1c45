"""Find the source line of a value in a TOML document.

``tomllib`` reports positions only for syntax errors; once a file parses, every value has
lost its line.  Semantic errors ("units[3].issi is a duplicate") are only useful if they
say *where*, so this module re-scans the (already valid) text with a small structural
scanner and maps every key path -- ``("units", 3, "issi")`` -- to the line where the key
or array element starts.  It understands headers, arrays of tables, dotted keys, inline
tables, multi-line arrays and all four string forms; anything it cannot follow simply
yields no entry and the caller falls back to the enclosing table's line.
"""

from __future__ import annotations

import bisect
import contextlib
from collections.abc import Sequence

KeyPath = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def format_path(path: Sequence[str | int]) -> str:
    """Render a key path the way users read it: ``units[3].issi``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


class SourceMap:
    """Key path -> 1-based line number for one TOML text."""

    def __init__(self, text: str) -> None:
        self._lines: dict[KeyPath, int] = {}
        # Best effort: a construct the scanner cannot follow just leaves entries out.
        with contextlib.suppress(IndexError, ValueError):
            _Scanner(text, self._lines).run()

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Line of ``path``, else of its nearest enclosing key/table, else ``None``."""
        key = tuple(path)
        while key:
            line = self._lines.get(key)
            if line is not None:
                return line
            key = key[:-1]
        return None

    def exact(self, path: Sequence[str | int]) -> int | None:
        """Line of exactly ``path`` (no fallback); for tests and precise callers."""
        return self._lines.get(tuple(path))


class _Scanner:
    """Walks valid TOML once, recording where each key and array element starts."""

    def __init__(self, text: str, out: dict[KeyPath, int]) -> None:
        self.text = text
        self.pos = 0
        self.out = out
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self.aot_count: dict[KeyPath, int] = {}

    # -- helpers -------------------------------------------------------------------
    def line(self) -> int:
        return bisect.bisect_right(self.starts, self.pos)

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def skip_space(self, newlines: bool = False) -> None:
        """Skip blanks (and, inside arrays, newlines and comments)."""
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.pos += 1
            elif newlines and ch == "#":
                self.skip_to_eol()
            else:
                return

    def skip_to_eol(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end

    def record(self, path: KeyPath, line: int) -> None:
        self.out.setdefault(path, line)

    # -- grammar -------------------------------------------------------------------
    def run(self) -> None:
        prefix: KeyPath = ()
        while self.pos < len(self.text):
            self.skip_space(newlines=True)
            if self.pos >= len(self.text):
                break
            if self.peek() == "[":
                prefix = self.header()
            else:
                self.key_value(prefix)
            self.skip_space()
            if self.peek() == "#":
                self.skip_to_eol()

    def header(self) -> KeyPath:
        line = self.line()
        is_array = self.peek(2) == "[["
        self.pos += 2 if is_array else 1
        self.skip_space()
        segments = self.key()
        self.skip_space()
        self.pos += 2 if is_array else 1
        resolved: list[str | int] = []
        for i, seg in enumerate(segments):
            resolved.append(seg)
            count = self.aot_count.get(tuple(resolved))
            if count and i < len(segments) - 1:  # [units.x] inside the latest [[units]]
                resolved.append(count - 1)
        if is_array:
            parent = tuple(resolved)
            index = self.aot_count.get(parent, 0)
            self.aot_count[parent] = index + 1
            self.record(parent, line)
            resolved.append(index)
        path = tuple(resolved)
        self.record(path, line)
        return path

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip_space()
            ch = self.peek()
            if ch == '"':
                parts.append(self.basic_string())
            elif ch == "'":
                end = self.text.index("'", self.pos + 1)
                parts.append(self.text[self.pos + 1 : end])
                self.pos = end + 1
            else:
                start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _BARE:
                    self.pos += 1
                parts.append(self.text[start : self.pos])
            self.skip_space()
            if self.peek() != ".":
                return parts
            self.pos += 1

    def key_value(self, prefix: KeyPath) -> None:
        line = self.line()
        segments = self.key()
        for i in range(1, len(segments) + 1):
            self.record(prefix + tuple(segments[:i]), line)
        self.skip_space()
        self.pos += 1  # '='
        self.skip_space()
        self.value(prefix + tuple(segments))

    def value(self, path: KeyPath) -> None:
        ch = self.peek()
        if self.peek(3) in ('"""', "'''"):
            quote = self.peek(3)
            end = self.pos + 3
            while True:
                end = self.text.index(quote, end)
                if quote == '"""' and _escaped(self.text, end):
                    end += 1
                    continue
                break
            while self.text[end + 3 : end + 4] == quote[0]:  # up to two quotes may close
                end += 1
            self.pos = end + 3
        elif ch == '"':
            self.basic_string()
        elif ch == "'":
            self.pos = self.text.index("'", self.pos + 1) + 1
        elif ch == "[":
            self.array(path)
        elif ch == "{":
            self.inline_table(path)
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}\n#":
                self.pos += 1

    def array(self, path: KeyPath) -> None:
        self.pos += 1
        index = 0
        while True:
            self.skip_space(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return
            self.record((*path, index), self.line())
            self.value((*path, index))
            self.skip_space(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            index += 1

    def inline_table(self, path: KeyPath) -> None:
        self.pos += 1
        while True:
            self.skip_space(newlines=True)
            if self.peek() == "}":
                self.pos += 1
                return
            if self.peek() == ",":
                self.pos += 1
                continue
            line = self.line()
            segments = self.key()
            for i in range(1, len(segments) + 1):
                self.record(path + tuple(segments[:i]), line)
            self.skip_space()
            self.pos += 1  # '='
            self.skip_space()
            self.value(path + tuple(segments))

    def basic_string(self) -> str:
        """Consume a one-line basic string and return its (roughly unescaped) content."""
        end = self.pos + 1
        while True:
            end = self.text.index('"', end)
            if _escaped(self.text, end):
                end += 1
                continue
            break
        raw = self.text[self.pos + 1 : end]
        self.pos = end + 1
        return raw.replace('\\"', '"').replace("\\\\", "\\")


def _escaped(text: str, quote_pos: int) -> bool:
    """True if the quote at ``quote_pos`` is preceded by an odd number of backslashes."""
    count = 0
    i = quote_pos - 1
    while i >= 0 and text[i] == "\\":
        count += 1
        i -= 1
    return count % 2 == 1
