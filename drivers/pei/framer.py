"""Bytes to lines: the PEI line discipline, for any chunking of the input.

Radios end lines with CR, LF or CRLF; echo adds a bare CR; some print a ``>`` prompt
before data.  The framer accumulates bytes (a read is never a message), splits on CR or
LF, drops empty lines and control bytes, and bounds a line's length so that garbage on
the wire cannot grow memory without limit.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LINE = 4096
_DROP = bytes(range(0x20)).replace(b"\t", b"") + b"\x7f"
_DELETE_TABLE = bytes.maketrans(b"", b"")


@dataclass(frozen=True)
class Overflow:
    """A run of bytes longer than ``MAX_LINE`` with no line end; discarded."""

    data: bytes


class LineFramer:
    """Split a byte stream into text lines; stateful across ``feed`` calls."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self._buf = bytearray()
        self._max = max_line
        self._discarding = False

    def feed(self, data: bytes) -> list[str | Overflow]:
        out: list[str | Overflow] = []
        buf = self._buf
        buf += data
        start = 0
        n = len(buf)
        while start < n:
            cr = buf.find(b"\r", start)
            lf = buf.find(b"\n", start)
            if cr < 0 and lf < 0:
                break
            end = cr if lf < 0 or (0 <= cr < lf) else lf
            if self._discarding:
                self._discarding = False  # the rest of an overlong line, already reported
            elif end - start > self._max:
                out.append(Overflow(bytes(buf[start : start + self._max])))
            else:
                line = self._clean(bytes(buf[start:end]))
                if line:
                    out.append(line)
            start = end + 1
        del buf[:start]
        if len(buf) > self._max:
            if not self._discarding:
                out.append(Overflow(bytes(buf[: self._max])))
                self._discarding = True
            buf.clear()
        return out

    @property
    def buffered(self) -> int:
        """Bytes held waiting for a line end."""
        return len(self._buf)

    def reset(self) -> None:
        self._buf.clear()
        self._discarding = False

    @staticmethod
    def _clean(raw: bytes) -> str:
        cleaned = raw.translate(_DELETE_TABLE, _DROP)
        text = cleaned.decode("ascii", errors="replace").strip()
        # A '>' data prompt may prefix the next line on radios that print "> " unterminated.
        while text.startswith(">"):
            text = text[1:].lstrip()
        return text
