"""A scrolling log of one-line :class:`~rich.text.Text` rows that renders only what is seen.

:class:`~textual.widgets.RichLog` renders every written line to segments at once (Rich's
full console pipeline per line) and grows its virtual size line by line, which asks the
screen for a layout pass each time.  Under a radio flood the activity panel gets a few
hundred lines a second and shows a dozen, so almost all of that work was for lines
nobody sees.  :class:`LineLog` keeps the rows (bounded by ``max_lines``) -- ``Text``, or
the data a row is made from, formatted only when the row is first on screen -- renders
a row when it is on screen (cached per row and width), and updates its virtual
size without a layout pass (its vertical scrollbar is always shown, so the content
region cannot change with the line count).  It is a ``RichLog`` subclass, so the styles
and the look (scrollbar, background, focus tint) stay those of ``RichLog``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Self

from rich.console import RenderableType
from rich.segment import Segment
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import RichLog

MIN_WIDTH = 20
"""Rows are rendered at least this wide (as the panels did with ``RichLog.write``)."""
ROW_CACHE = 256
"""Rendered rows kept (a few screens' worth; RichLog keeps 1024, which under a flood is
mostly rows already scrolled away, each a Strip with a handful of caches of its own)."""


class LineLog(RichLog):
    """The newest ``max_lines`` rows, oldest first; scrolled to the end as rows come."""

    def __init__(
        self,
        *,
        max_lines: int,
        formatter: Callable[[Any], Text] | None = None,
        **kwargs: Any,
    ) -> None:
        """``formatter`` turns a row written with :meth:`write_rows` into its ``Text``."""
        super().__init__(max_lines=max_lines, wrap=False, markup=False, **kwargs)
        self.rows: deque[object] = deque(maxlen=max_lines)
        """What the log holds (one entry = one screen row)."""
        self.formatter = formatter
        self._first = 0
        """Absolute number of ``rows[0]``: cache keys survive rows falling off the top."""
        self._line_cache = LRUCache(ROW_CACHE)

    # --- writing ----------------------------------------------------------------------

    def write_lines(self, lines: Iterable[Text]) -> None:
        """Append ``lines`` (a multi-line ``Text`` takes one row per line) in one update."""
        rows, limit = self.rows, self.rows.maxlen
        added = False
        for line in lines:
            parts = line.split("\n") if "\n" in line.plain else (line,)
            for part in parts:
                if limit is not None and len(rows) == limit:
                    self._first += 1
                rows.append(part)
                added = True
        if added:
            self._resized()

    def write_rows(self, rows: Iterable[object]) -> None:
        """Append one row per item; each is formatted when it is first on screen."""
        before = self._first + len(self.rows)
        for row in rows:
            if len(self.rows) == self.rows.maxlen:
                self._first += 1
            self.rows.append(row)
        if self._first + len(self.rows) != before:
            self._resized()

    def row_text(self, row: object) -> Text:
        """The ``Text`` of a row (a ``Text`` as is, anything else by ``formatter``)."""
        if isinstance(row, Text):
            return row
        if self.formatter is not None:
            return self.formatter(row)
        return Text(str(row))

    def write(
        self,
        content: RenderableType | object,
        width: int | None = None,
        expand: bool = False,
        shrink: bool = True,
        scroll_end: bool | None = None,
        animate: bool = False,
    ) -> Self:
        """``RichLog.write`` for one row (width options are ignored: rows fit the panel)."""
        self.write_lines([content if isinstance(content, Text) else Text(str(content))])
        return self

    def clear(self) -> Self:
        """Remove every row."""
        self._first += len(self.rows)
        self.rows.clear()
        self._line_cache.clear()
        self._resized()
        return self

    def _resized(self) -> None:
        """The row count changed: new virtual size, scrolled to the end, repainted."""
        size = Size(self.scrollable_content_region.width, len(self.rows))
        if self._size_known and self.styles.overflow_y == "scroll":
            # The scrollbar is always there, so the line count cannot change the layout:
            # set the virtual size without the layout pass its reactive would request.
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size
        if self.auto_scroll:
            self.scroll_end(animate=False, immediate=False, x_axis=False)
        self.refresh()

    # --- rendering --------------------------------------------------------------------

    def _render_line(self, y: int, scroll_x: int, width: int) -> Strip:
        rows = self.rows
        if y >= len(rows):
            return Strip.blank(width, self.rich_style)
        key = (self._first + y, scroll_x, width, 0)
        cached = self._line_cache.get(key)
        if cached is not None:
            return cached
        text = self.row_text(rows[y])
        line = self._render_row(text, max(MIN_WIDTH, width)).crop_extend(
            scroll_x, scroll_x + width, self.rich_style
        )
        self._line_cache[key] = line
        return line

    def _render_row(self, text: Text, width: int) -> Strip:
        """One row as ``RichLog.write`` renders it (no wrap; the Text's own overflow)."""
        console = self.app.console
        options = console.options.update(overflow="ignore", no_wrap=True).update_width(width)
        segments = list(Segment.split_lines(console.render(text, options)))
        # Not padded here: ``crop_extend`` pads with the widget's style, as RichLog does.
        return Strip(segments[0]) if segments else Strip.blank(0)
