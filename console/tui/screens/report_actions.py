"""Report and export actions shared by the roll-call and drill screens.

Both screens show a finished run's report, export it to a file the officer names (in a
worker thread, never on the UI loop) and say where it went.  Each screen supplies
``_with_report(then)``: the report of the run on show, read from the log off the UI loop
(:func:`console.tui.offloop.query`) and handed to ``then``, or a warning why there is none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen

from console.reports import Report, render
from console.tui.render import clean
from console.tui.strings import tr
from console.tui.widgets.runs import ExportDialog, ReportView, write_report

if TYPE_CHECKING:
    from console.runtime import Runtime


class ReportActions(Screen[None]):
    """Mixin-style base: ``action_report``, ``action_export`` and the export worker."""

    lang: str
    runtime: Runtime

    if TYPE_CHECKING:

        def _with_report(self, then: Callable[[Report], None]) -> None: ...

    @property
    def station_name(self) -> str:
        """The station as reports name it, in the screen's language."""
        return self.runtime.station.display_name(self.lang)

    def action_report(self) -> None:
        self._with_report(self.view_report)

    def view_report(self, report: Report) -> None:
        """The report as terminal text, in the screen's language, over this screen."""
        title = f"{tr('run.report', self.lang)} {report.id}"
        text = render(report, "terminal", self.lang, self.station_name)
        self.app.push_screen(ReportView(title, text, self.lang))

    def action_export(self) -> None:
        self._with_report(self._ask_where)

    def _ask_where(self, report: Report) -> None:
        default = Path(self.runtime.log.path).parent / "reports" / f"{report.id}.md"

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.export(report, path)

        self.app.push_screen(ExportDialog(default, self.lang), chosen)

    @work(thread=True, exclusive=False, group="export")
    def export(self, report: Report, path: Path) -> None:
        """Write the file off the UI loop; say where it went (or why not)."""
        try:
            saved = write_report(report, path, self.lang, self.station_name)
        except (OSError, ValueError) as exc:
            message = tr("run.export_failed", self.lang, error=clean(exc))
            self.app.call_from_thread(self.notify, message, severity="error", markup=False)
            return
        message = tr("run.exported", self.lang, path=clean(saved))
        self.app.call_from_thread(self.notify, message, markup=False)
