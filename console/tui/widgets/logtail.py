"""The newest event-log records (what is on disk, so what the record will show)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Any

from rich.text import Text
from textual.widgets import RichLog

from console.eventlog import EventRecord
from console.tui.render import inert, local_time

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


class LogTail(RichLog):
    """Replaced wholesale at each batch (a few dozen lines; cheaper than diffing)."""

    def __init__(self, lang: str, tz: tzinfo | None, **kwargs: object) -> None:
        super().__init__(max_lines=200, wrap=False, markup=False, **kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self.tz = tz
        self.names: dict[str, str] = {}
        self.last_id = 0

    def show(self, records: Iterable[EventRecord]) -> None:
        records = list(records)
        if records and records[-1].id == self.last_id:
            return
        self.clear()
        width = max(20, self.scrollable_content_region.width)
        for record in records:
            self.write(self.line(record), width=width)
        self.last_id = records[-1].id if records else 0

    def line(self, record: EventRecord) -> Text:
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
