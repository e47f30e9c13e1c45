"""Active incidents, most urgent first (the book decides the order and what is active)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widgets import DataTable

from console.incidents import Incident
from console.tui.render import inert

PRIORITY_STYLES = {"emergency": "bold white on red", "urgent": "bold yellow", "normal": ""}
PRIORITY_LABELS = {
    "emergency": ("特急", "EMERG"),
    "urgent": ("紧急", "urgent"),
    "normal": ("一般", "normal"),
}


class IncidentsTable(DataTable[Text]):
    """Rebuilt from ``IncidentBook.active()`` whenever an incident changes (a few rows)."""

    def __init__(self, lang: str, **kwargs: object) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self._shown: tuple[tuple[str, str, str, str], ...] | None = None

    def setup(self, columns: tuple[str, str, str, str]) -> None:
        for key, label in zip(("id", "priority", "state", "title"), columns, strict=True):
            self.add_column(label, key=key)

    def show(self, incidents: Iterable[Incident]) -> None:
        """Rebuild the rows, unless the active incidents show the same as now."""
        lang = self.lang
        incidents = list(incidents)
        shown = tuple((i.id, i.priority, i.state_label(lang), i.title) for i in incidents)
        if shown == self._shown:
            return
        self._shown = shown
        self.clear()
        for inc in incidents:
            zh, en = PRIORITY_LABELS.get(inc.priority, (inc.priority, inc.priority))
            self.add_row(
                inert(inc.id),
                Text(en if lang == "en" else zh, style=PRIORITY_STYLES.get(inc.priority, "")),
                Text(inc.state_label(lang)),
                inert(inc.title),
                key=inc.id,
            )
