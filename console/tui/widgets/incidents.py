"""Active incidents, most urgent first (the book decides the order and what is active)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widgets import DataTable

from console.i18n import known, register, t
from console.incidents import Incident
from console.tui.render import inert

PRIORITY_STYLES = {"emergency": "bold white on red", "urgent": "bold yellow", "normal": ""}
PRIORITY_WORDS = register(
    {
        "incident.priority.emergency": ("特急", "EMERG"),
        "incident.priority.urgent": ("紧急", "urgent"),
        "incident.priority.normal": ("一般", "normal"),
    }
)


def priority_label(priority: str, lang: str) -> str:
    """An incident's priority in ``lang`` (a priority from a newer log as it is)."""
    key = f"incident.priority.{priority}"
    return t(key, lang) if known(key) else priority


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
            self.add_row(
                inert(inc.id),
                Text(
                    priority_label(inc.priority, lang), style=PRIORITY_STYLES.get(inc.priority, "")
                ),
                Text(inc.state_label(lang)),
                inert(inc.title),
                key=inc.id,
            )
