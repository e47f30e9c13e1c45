"""Safe text for the screen: everything from radios and station files is shown as data.

One rule, one helper: :func:`inert` turns any value into a :class:`rich.text.Text` that
cannot move the cursor, change the terminal title, reorder the line (bidi overrides) or
smuggle Rich/Textual markup -- control and format characters become visible ``\\xNN`` /
``\\uNNNN`` escapes and the result is never parsed as markup.  Every widget that shows
radio or config text goes through it.  The other helpers align Chinese text by terminal
cells (a Han character is two cells wide), not by ``len``.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, tzinfo

from rich.text import Text

_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
"""Controls, format (bidi, zero-width), surrogates, private use, line/paragraph separators."""


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(value: object) -> str:
    """The plain string :func:`inert` displays (escapes instead of unsafe characters)."""
    text = str(value)
    if text.isprintable() and text.isascii():
        return text
    return "".join(_escape(ch) if unicodedata.category(ch) in _UNSAFE else ch for ch in text)


def inert(value: object, style: str = "") -> Text:
    """``value`` as Text that cannot change the screen (never parsed as markup)."""
    return Text(clean(value), style=style, no_wrap=True, overflow="ellipsis")


def fit(value: object, width: int, style: str = "") -> Text:
    """Inert text padded or cut to exactly ``width`` terminal cells (CJK-aware)."""
    text = inert(value, style)
    text.truncate(width, overflow="ellipsis", pad=True)
    return text


def age(seconds: float | None) -> str:
    """Compact time since something: ``—``, ``42s``, ``3m05``, ``2h07``."""
    if seconds is None:
        return "—"
    s = int(max(0.0, seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}"
    return f"{s // 3600}h{(s % 3600) // 60:02d}"


def clock_text(seconds: float) -> str:
    """Elapsed time as ``m:ss`` (the response board's stopwatch)."""
    s = int(max(0.0, seconds))
    return f"{s // 60}:{s % 60:02d}"


def local_time(wall: float, tz: tzinfo | None, fmt: str = "%H:%M:%S") -> str:
    """Wall-clock seconds in the console's time zone (``None`` = the PC's)."""
    return datetime.fromtimestamp(wall, tz).strftime(fmt)
