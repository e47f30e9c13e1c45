"""The newest event-log records (what is on disk, so what the record will show).

Each batch brings the log's newest records; only those not shown yet are appended (one
write, rendered when on screen).  If more were committed between two batches than a
batch carries, one line says how many were left out (the F7 log screen has them all).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Any

from rich.text import Text

from console.eventlog import EventRecord
from console.tui.render import inert, local_time
from console.tui.strings import tr
from console.tui.widgets.lines import LineLog

FAMILY_LABELS = {
    "wire": ("线路", "wire"),
    "page": ("呼叫", "page"),
    "ladder": ("应答", "ladder"),
    "escalation": ("升级", "escal."),
    "incident": ("事件", "incident"),
    "alarm": ("告警", "alarm"),
    "operator": ("操作", "operator"),
    "rollcall": ("点名", "rollcall"),
    "drill": ("演练", "drill"),
    "broadcast": ("广播", "broadcast"),
    "log": ("日志", "log"),
}
FAMILY_STYLES = {"alarm": "bold red", "escalation": "yellow", "ladder": "green", "wire": "dim"}
SUMMARY_FIELDS = ("text", "title", "state", "action", "value", "note", "detail", "event")


def summary(data: Mapping[str, Any]) -> str:
    """The one or two fields of a record's data that say what happened."""
    parts = [f"{data[k]}" for k in SUMMARY_FIELDS if data.get(k) not in (None, "")]
    return " ".join(parts[:2])


class LogTail(LineLog):
    """The newest records, oldest first; new ones are appended as batches bring them."""

    def __init__(
        self, lang: str, tz: tzinfo | None, *, max_lines: int = 200, **kwargs: object
    ) -> None:
        super().__init__(max_lines=max_lines, formatter=self.line, **kwargs)
        self.lang = lang
        self.tz = tz
        self.names: dict[str, str] = {}
        self.last_id = 0

    def show(self, records: Iterable[EventRecord]) -> None:
        """The log's newest records (oldest first): append those after ``last_id``."""
        records = list(records)
        if not records or records[-1].id == self.last_id:
            return
        rows: list[object] = []
        if records[-1].id < self.last_id:  # another log (or it went back): start over
            self.clear()
            self.last_id = 0
        fresh = [r for r in records if r.id > self.last_id]
        skipped = fresh[0].id - self.last_id - 1 if self.last_id else 0
        if skipped > 0:
            rows.append(Text(tr("logtail.skipped", self.lang, n=skipped), style="dim italic"))
        rows.extend(fresh)  # formatted when on screen
        self.write_rows(rows)
        self.last_id = records[-1].id

    def line(self, record: EventRecord) -> Text:
        """The row of one record (called when the row is first on screen)."""
        family, _, what = record.kind.partition(".")
        zh, en = FAMILY_LABELS.get(family, (family, family))
        style = FAMILY_STYLES.get(family, "")
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(local_time(record.wall, self.tz), style="dim")
        text.append(f" {en if self.lang == 'en' else zh}.", style=style)
        text.append_text(inert(what, style))
        if record.unit:
            text.append(" ")
            text.append_text(inert(self.names.get(record.unit, record.unit), "bold"))
        try:
            detail = summary(record.data)
        except ValueError:
            detail = ""
        if detail:
            text.append(" ")
            text.append_text(inert(detail))
        return text
