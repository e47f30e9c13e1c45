"""Units and talkgroups: live state colours and the time since each last answered.

Talkgroups come first (who holds the floor), then the units in station order.  The
state itself (:class:`~console.runtime.view.UnitCondition`) is decided in the core; this
widget only maps it to a word and a colour, and refreshes the ages once a second.  Only
cells whose text or style changed are written (each write re-renders the table), so a
flood that keeps telling us the same units are "heard 0s ago" costs no repaint.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.cache import LRUCache
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from console.runtime.view import GroupState, UnitCondition, UnitState
from console.tui.render import age, fit
from console.tui.strings import tr

CONDITION_STYLES = {
    UnitCondition.EMERGENCY: "bold white on red",
    UnitCondition.TALKING: "bold cyan",
    UnitCondition.UNREACHABLE: "red",
    UnitCondition.HEARD: "green",
    UnitCondition.UNKNOWN: "dim",
}


class UnitsTable(DataTable[Text]):
    """One row per talkgroup (``g<gssi>``) and per unit (``u<issi>``)."""

    def __init__(self, lang: str, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self.unit_states: dict[int, UnitState] = {}
        self.group_states: dict[int, GroupState] = {}
        self.aliases: dict[str, str] = {}
        """SSI → display name, for talkers shown on group rows."""
        self._names: dict[int, str] = {}
        self.name_width = 14
        self.with_id = True
        self.now: float | None = None
        self._shown: dict[tuple[str, str], CellLook] = {}
        """(row key, column key) → what that cell shows now."""
        # DataTable's render caches are keyed by its update counter, so after a cell
        # update every old entry is dead weight until evicted.  Its defaults (10 000
        # cells, 1 000 rows and lines) suit a big static table; this one has ~60 rows,
        # and tens of thousands of dead cached segments made every full pass of the
        # cyclic GC walk them.  A few screens' worth is plenty.
        self._cell_render_cache = LRUCache(1000)
        self._row_render_cache = LRUCache(200)
        self._row_renderable_cache = LRUCache(200)
        self._line_cache = LRUCache(200)

    def setup(
        self,
        groups: Iterable[GroupState],
        units: Iterable[UnitState],
        names: dict[int, str],
    ) -> None:
        """Columns and the first rows (from the station), ``names`` in the UI language."""
        self._names = names
        for group in groups:
            self.group_states[group.gssi] = group
        for unit in units:
            self.unit_states[unit.issi] = unit
            self.aliases[str(unit.issi)] = names.get(unit.issi, unit.alias)
        self._build(None)

    def _build(self, now: float | None) -> None:
        """(Re)create columns and rows; the name column takes what the width leaves."""
        lang = self.lang
        self.clear(columns=True)
        self._shown.clear()
        self.name_width, self.with_id = _layout(self.size.width or 34)
        self.add_column(tr("col.state", lang), key="state")
        self.add_column(tr("col.name", lang), key="name")
        self.add_column(tr("col.last", lang), key="last")
        if self.with_id:
            self.add_column(tr("col.id", lang), key="id")
        for group in self.group_states.values():
            name = self._names.get(group.gssi, group.name)
            self._add(f"g{group.gssi}", self._group_cells(group, name, now))
        for unit in self.unit_states.values():
            name = self._names.get(unit.issi, unit.alias)
            self._add(f"u{unit.issi}", self._unit_cells(unit, name, now))

    def _add(self, key: str, cells: list[Text]) -> None:
        cells = cells[: len(self.columns)]
        self.add_row(*cells, key=key)
        for column, cell in zip(COLUMNS, cells, strict=False):
            self._shown[key, column] = cell_look(cell)

    def on_resize(self) -> None:
        if _layout(self.size.width) != (self.name_width, self.with_id):
            self._build(self.now)

    def _group_cells(self, group: GroupState, name: str, now: float | None) -> list[Text]:
        if group.talker is not None:
            who = self.aliases.get(group.talker, group.talker)
            state = fit(f"▶{who}", 8, "bold cyan")
            since = group.talker_since_mono
        else:
            state = Text(tr("group.idle", self.lang), style="dim")
            since = group.last_mono
        if group.emergency:
            state.stylize("bold white on red")
        return [
            state,
            fit(f"◆ {name}", self.name_width, "bold"),
            Text(age(now - since) if now is not None and since is not None else "—"),
            Text(str(group.gssi), justify="right"),
        ]

    def _unit_cells(self, unit: UnitState, name: str, now: float | None) -> list[Text]:
        cond = unit.condition
        style = CONDITION_STYLES[cond]
        last = now - unit.last_mono if now is not None and unit.last_mono is not None else None
        return [
            Text(tr(f"unit.{cond.value}", self.lang), style=style),
            fit(name, self.name_width),
            Text(age(last), style="dim" if last is None else ""),
            Text(str(unit.issi), justify="right"),
        ]

    def apply(self, units: Iterable[UnitState], groups: Iterable[GroupState], now: float) -> None:
        """New states for some units/groups (attributes down from the screen)."""
        self.now = now
        for group in groups:
            if group.gssi in self.group_states:
                self.group_states[group.gssi] = group
                self._set_row(f"g{group.gssi}",
                              self._group_cells(group, self._names.get(group.gssi, group.name),
                                                now))  # fmt: skip
        for unit in units:
            if unit.issi in self.unit_states:
                self.unit_states[unit.issi] = unit
                name = self._names.get(unit.issi, unit.alias)
                self._set_row(f"u{unit.issi}", self._unit_cells(unit, name, now))

    def refresh_ages(self, now: float) -> None:
        """Once a second: the "last heard" column moves on."""
        self.apply(self.unit_states.values(), self.group_states.values(), now)

    def _set_row(self, key: str, cells: list[Text]) -> None:
        shown = self._shown
        for column, cell in zip(COLUMNS, cells, strict=False):
            if column != "id" or self.with_id:
                look = cell_look(cell)
                if shown.get((key, column)) == look:
                    continue
                shown[key, column] = look
                # Re-measuring a column scans every row: only when this cell is wider than
                # the column already is (500 radio events/s touch every unit each batch).
                wider = cell.cell_len > self.columns[ColumnKey(column)].content_width
                self.update_cell(key, column, cell, update_width=wider)


COLUMNS = ("state", "name", "last", "id")
CellLook = tuple[str, str, tuple[object, ...], str | None]


def cell_look(cell: Text) -> CellLook:
    """What a cell shows: its characters, base style, styled spans and alignment."""
    return (cell.plain, str(cell.style), tuple(cell.spans), cell.justify)


def _layout(width: int) -> tuple[int, bool]:
    """Name column width and whether the ISSI column fits (it goes first on 80 columns)."""
    with_id = width >= 44
    spare = width - (29 if with_id else 20)
    return max(8, min(40, spare)), with_id
