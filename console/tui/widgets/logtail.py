"""The newest event-log records (what is on disk, so what the record will show).

Each batch brings the log's newest records; only those not shown yet are appended (one
write, rendered when on screen).  If more were committed between two batches than a
batch carries, one line says how many were left out (the F7 log screen has them all).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from datetime import tzinfo

from rich.text import Text

from console.config.model import StatusPlan
from console.eventlog import EventRecord
from console.logwords import TECHNICAL_FAMILIES
from console.tui.strings import tr
from console.tui.widgets.lines import LineLog
from console.tui.widgets.timeline import record_line


class LogTail(LineLog):
    """The newest records, oldest first; new ones are appended as batches bring them.

    The technician's wire rows (:data:`console.logwords.TECHNICAL_FAMILIES`) are left out
    unless :attr:`show_wire` (the main screen's toggle); the records are kept either way,
    so turning it on shows the wire rows already received."""

    def __init__(
        self, lang: str, tz: tzinfo | None, *, max_lines: int = 200, **kwargs: object
    ) -> None:
        super().__init__(max_lines=max_lines, formatter=self.line, **kwargs)
        self.lang = lang
        self.tz = tz
        self.names: dict[str, str] = {}
        self.plan: StatusPlan | None = None
        """The station's status plan (statuses by their names: 到场, not 32772)."""
        self.last_id = 0
        self.show_wire = False
        self.kept: deque[EventRecord] = deque(maxlen=max_lines)
        """The newest records of every family (what a toggle redraws from)."""

    def shown(self, record: EventRecord) -> bool:
        return self.show_wire or record.kind.partition(".")[0] not in TECHNICAL_FAMILIES

    def toggle_wire(self) -> bool:
        """Show or hide the wire rows (redrawn from the records kept); the new setting."""
        self.show_wire = not self.show_wire
        self.clear()
        self.write_rows([r for r in self.kept if self.shown(r)])
        return self.show_wire

    def show(self, records: Iterable[EventRecord]) -> None:
        """The log's newest records (oldest first): append those after ``last_id``."""
        records = list(records)
        if not records or records[-1].id == self.last_id:
            return
        rows: list[object] = []
        if records[-1].id < self.last_id:  # another log (or it went back): start over
            self.clear()
            self.kept.clear()
            self.last_id = 0
        fresh = [r for r in records if r.id > self.last_id]
        skipped = fresh[0].id - self.last_id - 1 if self.last_id else 0
        if skipped > 0:
            rows.append(Text(tr("logtail.skipped", self.lang, n=skipped), style="dim italic"))
        self.kept.extend(fresh)
        rows.extend(r for r in fresh if self.shown(r))  # formatted when on screen
        if rows:
            self.write_rows(rows)
        self.last_id = records[-1].id

    def line(self, record: EventRecord) -> Text:
        """The row of one record (called when the row is first on screen)."""
        return record_line(record, self.lang, self.tz, self.names, plan=self.plan)
