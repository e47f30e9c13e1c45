"""One event-log record as one line of a timeline or of the log screen.

The incident's closed loop is read back from the event log (the log is the record): its
``incident.*`` changes, the pages sent for it, the units' answers on those pages, the
escalations, alarms and loudspeaker broadcasts -- each with its time.  Everything that
came from a radio or a keyboard is rendered inert.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any, Final

from rich.text import Text

from console.config.model import StatusPlan
from console.eventlog import EventRecord
from console.incidents import IncidentState
from console.incidents.model import RADIO_SOURCE
from console.logwords import describe as words
from console.logwords import ladder_detail
from console.paging.model import Rung
from console.tui.render import inert, local_time
from console.tui.strings import tr

TIMELINE_HIDDEN: Final[frozenset[str]] = frozenset(
    {"ladder.queued", "ladder.accepted", "ladder.sent", "ladder.read"}
)
"""Gateway plumbing rungs: in the log and on the log screen, but not on the timeline."""

KIND_STYLES: Final[dict[str, str]] = {
    "incident.opened": "bold",
    "incident.state": "bold cyan",
    "incident.note": "italic",
    "page.created": "bold magenta",
    "ladder.failed": "red",
    "alarm.raised": "bold red",
}


FAMILY_STYLES: Final[dict[str, str]] = {
    "alarm": "bold red",
    "escalation": "yellow",
    "ladder": "green",
    "wire": "dim",
}


def _state(value: object, lang: str) -> str:
    try:
        return IncidentState(str(value)).label(lang)
    except ValueError:
        return str(value)


def _rung(what: str, lang: str) -> str:
    try:
        return Rung(what).label(lang)
    except ValueError:
        return what


def describe(record: EventRecord, lang: str, plan: StatusPlan | None = None) -> tuple[str, str]:
    """(what happened, detail) for a record, in ``lang``; the detail is untrusted text.

    The incident's own kinds are worded here (a timeline reads as the closed loop);
    everything else by :func:`console.logwords.describe`, the log's one vocabulary
    (``plan``: the station's status plan, for the statuses radios sent)."""
    kind = record.kind
    family, _, what = kind.partition(".")
    try:
        data: Mapping[str, Any] = record.data
    except ValueError:
        data = {}
    if kind == "incident.opened":
        source = str(data.get("source") or "")
        if source.startswith(RADIO_SOURCE):  # opened by a radio's alarm, not by hand
            label = tr("tl.opened_radio", lang, ssi=source.removeprefix(RADIO_SOURCE))
            return label, str(data.get("title", ""))
        return tr("tl.opened", lang), str(data.get("title", ""))
    if kind == "incident.state":
        label = tr(
            "tl.reopened" if data.get("reopen") else "tl.state",
            lang,
            state=_state(data.get("state"), lang),
        )
        return label, str(data.get("note") or "")
    if kind == "incident.note":
        return tr("tl.note", lang), str(data.get("text", ""))
    if kind == "incident.page_attached":
        return tr("tl.page_attached", lang), str(record.page or "")
    if kind == "incident.broadcast_attached":
        return tr("tl.broadcast_attached", lang), str(data.get("broadcast", ""))
    if kind == "incident.answer":
        return tr("tl.answer", lang), str(data.get("summary", ""))
    if kind == "page.created":
        n = len(data.get("responders") or ())
        return tr("tl.page", lang, n=n), str(data.get("text", ""))
    if family == "ladder":
        return tr("tl.rung", lang, rung=_rung(what, lang)), ladder_detail(data, lang)
    return words(kind, data, lang, plan)


def record_line(
    record: EventRecord,
    lang: str,
    tz: tzinfo | None,
    names: Mapping[str, str],
    *,
    date: bool = False,
    plan: StatusPlan | None = None,
) -> Text:
    """``08:01:02 <what> <unit> <detail>`` (``date`` adds the month and day)."""
    what, detail = describe(record, lang, plan)
    family = record.kind.partition(".")[0]
    style = KIND_STYLES.get(record.kind, FAMILY_STYLES.get(family, ""))
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(local_time(record.wall, tz, "%m-%d %H:%M:%S" if date else "%H:%M:%S"), style="dim")
    text.append(" ")
    text.append_text(inert(what, style))
    if record.unit:
        text.append(" ")
        text.append_text(inert(names.get(record.unit, record.unit), "bold"))
    if record.operator and family in ("incident", "operator", "ladder"):
        text.append(" ")
        text.append_text(inert(f"({record.operator})", "dim"))
    if detail:
        text.append(" ")
        text.append_text(inert(detail))
    return text
