"""F5: roll call (点名) -- pick a group, mode and deadline, call, watch, re-call the absent.

The screen only asks the runtime (``rollcall_spec``, ``start_rollcall``, ``stop_rollcall``,
``recall_absent``, ``rollcalls``, ``rollcall_result``, ``rollcall_report``); the rules
(who is present, late, absent, unreachable) are the roll-call engine's.  Live rows come
from the runtime's coalesced feed (:class:`~console.runtime.view.ServiceEvent`
``"rollcall"``), so a burst of answers repaints the table once per batch.

Keys: F9 start (after a confirmation: it transmits to every member), F10 stop, F3 re-call
the absent, Ctrl+O report, Ctrl+E export (Markdown/CSV/JSON/HTML, written in a worker),
Ctrl+L earlier roll calls (Enter reopens one, ``c`` compares it with the one shown), Esc
back to the main screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Select, Static

from console.errors import ConsoleError, say_error
from console.reports import Report
from console.rollcall import (
    Attendance,
    MemberResult,
    RollCallMode,
    RollCallNotFound,
    RollCallResult,
    RollCallUpdate,
    compare,
)
from console.runtime.view import Batch, ServiceEvent
from console.tui.offloop import USER_ERRORS, command, read_in_thread
from console.tui.render import clean, clock_text, inert, local_time
from console.tui.screens.report_actions import ReportActions
from console.tui.strings import Key, screen_title, tr
from console.tui.widgets.footer import DeskFooter
from console.tui.widgets.runs import (
    ConfirmRun,
    PickTable,
    ReportView,
    bind_keys,
)

if TYPE_CHECKING:
    from console.tui.app import DutyDeskApp

ROLLCALL_KEYS: Final[tuple[Key, ...]] = (
    Key("f9", "start", "开始点名", "Start"),
    Key("f10", "stop", "停止", "Stop"),
    Key("f3", "recall", "补点未到", "Re-call absent"),
    Key("ctrl+o", "report", "报告", "Report"),
    Key("ctrl+e", "export", "导出", "Export"),
    Key("ctrl+l", "history", "记录", "History"),
    Key("escape", "back", "返回", "Back"),
)
"""The roll-call screen's keys (footer and F1 help)."""

STYLES: Final[dict[Attendance, str]] = {
    Attendance.PRESENT: "bold green",
    Attendance.LATE: "bold yellow",
    Attendance.ABSENT: "bold red",
    Attendance.UNREACHABLE: "bold magenta",
    Attendance.WAITING: "dim",
}
MODES: Final[tuple[RollCallMode, ...]] = tuple(RollCallMode)
MODE_NAMES: Final[frozenset[str]] = frozenset(m.value for m in MODES)


def counts_text(result: RollCallResult, lang: str) -> str:
    """``到 6 · 迟到 0 · 未到 1 · 不可达 1`` (+ waiting while it runs)."""
    parts = [
        f"{a.label(lang)} {result.count(a)}"
        for a in Attendance
        if a is not Attendance.WAITING or result.count(a)
    ]
    return " · ".join(parts)


def member_cells(m: MemberResult, lang: str, name: str | None = None) -> tuple[Text, ...]:
    """One table row: number, unit (``name`` in the officer's language if known), result,
    time, note (cause, detail or how the member answered)."""
    latency = "—" if m.latency_s is None else f"{m.latency_s:.1f} s"
    note = ""
    if m.cause:
        note = tr(f"cause.{m.cause}", lang)
        note = m.cause if note == f"cause.{m.cause}" else note
    elif m.detail:
        note = m.detail
    elif m.source and m.attendance in (Attendance.PRESENT, Attendance.LATE):
        note = tr(f"rc.source.{m.source}", lang)
        note = m.source if note == f"rc.source.{m.source}" else note
    return (
        Text(str(m.issi)),
        inert(name or m.alias),
        Text(m.attendance.label(lang), style=STYLES[m.attendance]),
        Text(latency, justify="right"),
        inert(note),
    )


class RollCallScreen(ReportActions):
    """The roll-call desk: a form, a status line and the live member table."""

    DEFAULT_CSS = """
    RollCallScreen { layout: vertical; }
    RollCallScreen #rc-form { height: auto; padding: 0 1; }
    RollCallScreen #rc-form Label { padding: 1 1 0 0; }
    RollCallScreen #rc-group { width: 1fr; }
    RollCallScreen #rc-mode { width: 22; }
    RollCallScreen #rc-deadline { width: 10; }
    RollCallScreen #rc-status { height: auto; padding: 0 1; background: $panel; }
    RollCallScreen #rc-table { height: 1fr; border: round $accent; }
    """

    def __init__(self, app: DutyDeskApp) -> None:
        super().__init__(id="rollcall")
        self.desk = app
        self.runtime = app.runtime
        self.lang = app.lang
        self.shown: RollCallResult | None = None
        """What the table shows: the live roll call's snapshot or a reopened one."""
        self._unsubscribe: Callable[[], None] | None = None
        self._row_keys: tuple[int, ...] = ()
        self._pinned = False
        """The officer reopened a past roll call: live updates of another do not replace it."""
        bind_keys(self, ROLLCALL_KEYS, self.lang)

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang, station = self.lang, self.runtime.station
        groups = [(clean(g.display_name(lang)), g.name) for g in station.groups]
        modes = [(tr(f"rc.mode.{m.value}", lang), m.value) for m in MODES]
        with Horizontal(id="rc-form"):
            yield Label(tr("rc.group", lang))
            yield Select(
                groups,
                value=groups[0][1] if groups else Select.BLANK,
                allow_blank=not groups,
                id="rc-group",
            )
            yield Label(tr("rc.mode", lang))
            yield Select(modes, value=RollCallMode.STATUS.value, allow_blank=False, id="rc-mode")
            yield Label(tr("rc.deadline", lang))
            yield Input(f"{station.deadlines.acknowledge_s or 60.0:g}", id="rc-deadline")
        yield Static(tr("rc.idle", lang), id="rc-status", markup=False)
        table: DataTable[Text] = DataTable(id="rc-table", cursor_type="row", zebra_stripes=True)
        table.border_title = screen_title("rollcall", lang)
        yield table
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#rc-table", DataTable)
        lang = self.lang
        table.add_columns(
            tr("rc.col.issi", lang),
            tr("rc.col.unit", lang),
            tr("rc.col.result", lang),
            tr("rc.col.latency", lang),
            tr("rc.col.note", lang),
        )
        self._unsubscribe = self.runtime.subscribe(self._on_batch)
        call = self.runtime.rollcall
        if call is not None:
            self.show(call.result or call.snapshot())
        if self.desk.live_clock:
            self.set_interval(1.0, self.tick)
        self.query_one("#rc-group", Select).focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # --- attributes down ----------------------------------------------------------------

    def _on_batch(self, batch: Batch) -> None:
        if self.runtime.rollcall_running and self.shown is not None:
            self.query_one("#rc-status", Static).update(self.status_text(self.shown))
        for event in batch.events:
            if isinstance(event, ServiceEvent) and event.service == "rollcall":
                update = event.event
                if isinstance(update, RollCallUpdate) and self._follows(update.result):
                    self.show(update.result)

    def _follows(self, result: RollCallResult) -> bool:
        """Live updates replace what is shown unless the officer reopened an old one."""
        call = self.runtime.rollcall
        if call is None or call.rollcall_id != result.rollcall_id:
            return False
        return not self._pinned or (
            self.shown is not None and self.shown.rollcall_id == call.rollcall_id
        )

    def tick(self) -> None:
        """Once a second while a roll call runs: elapsed time, deadlines passing."""
        call = self.runtime.rollcall
        if (
            call is not None
            and self.runtime.rollcall_running
            and self.shown is not None
            and self.shown.rollcall_id == call.rollcall_id
        ):
            self.show(call.snapshot())

    def show(self, result: RollCallResult) -> None:
        """Put ``result`` in the status line and the table."""
        self.shown = result
        self.query_one("#rc-status", Static).update(self.status_text(result))
        table = self.query_one("#rc-table", DataTable)
        keys = tuple(m.issi for m in result.members)
        if keys != self._row_keys:
            table.clear()
            for m in result.members:
                table.add_row(*self._cells(m), key=str(m.issi))
            self._row_keys = keys
            return
        columns = list(table.columns)
        for m in result.members:
            for column, cell in zip(columns, self._cells(m), strict=True):
                table.update_cell(str(m.issi), column, cell, update_width=True)

    def _cells(self, m: MemberResult) -> tuple[Text, ...]:
        unit = self.runtime.station.unit(m.issi)
        return member_cells(m, self.lang, unit.display_name(self.lang) if unit else None)

    def status_text(self, result: RollCallResult) -> Text:
        lang = self.lang
        call = self.runtime.rollcall
        live = call is not None and call.rollcall_id == result.rollcall_id
        running = live and not result.closed and self.runtime.rollcall_running
        state = tr("rc.running" if running else ("rc.closed" if live else "rc.reopened"), lang)
        line = tr(
            "rc.line",
            lang,
            id=clean(result.rollcall_id),
            state=state,
            n=len(result.members),
            counts=counts_text(result, lang),
        )
        text = Text(line)
        text.append(f"  {clean(result.group)} · {tr(f'rc.mode.{result.mode.value}', lang)}")
        if result.recall_of:
            text.append(" " + tr("rc.recall_of", lang, id=clean(result.recall_of)))
        if running and call is not None:
            elapsed = self.runtime.clock.monotonic() - call.started_mono
            text.append(
                "  "
                + tr(
                    "rc.elapsed",
                    lang,
                    elapsed=clock_text(elapsed),
                    deadline=clock_text(result.deadline_s),
                ),
                style="bold",
            )
        return text

    # --- actions ------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_start(self) -> None:
        lang = self.lang
        if self.runtime.rollcall_running:
            self._warn(tr("run.running_already", lang, what=self._current_id()))
            return
        group = self.query_one("#rc-group", Select).value
        mode = self.query_one("#rc-mode", Select).value
        raw = self.query_one("#rc-deadline", Input).value.strip()
        try:
            deadline = float(raw)
        except ValueError:
            deadline = -1.0
        if deadline <= 0 or deadline != deadline:
            self._warn(tr("rc.bad_deadline", lang))
            return
        if not isinstance(group, str) or not isinstance(mode, str):
            return
        try:
            spec = self.runtime.rollcall_spec(group, mode=mode, deadline_s=deadline)
        except ConsoleError as exc:
            self._warn(tr("run.failed", lang, error=clean(say_error(exc, lang))))
            return
        body = tr(
            "rc.confirm.body",
            lang,
            n=len(spec.members),
            group=clean(spec.group),
            mode=tr(f"rc.mode.{spec.mode.value}", lang),
            deadline=f"{spec.deadline_s:g}",
        )

        def started(call: Any) -> None:
            self._pinned = False
            self.show(call.snapshot())
            self.notify(tr("rc.started", lang, id=call.rollcall_id), markup=False)

        def confirmed(ok: bool | None) -> None:
            if ok:
                command(
                    self,
                    self.runtime,
                    lambda: self.runtime.start_rollcall(spec),
                    started,
                    self._failed,
                    USER_ERRORS,
                )

        self.app.push_screen(ConfirmRun(tr("rc.confirm.title", lang), body, lang), confirmed)

    def action_stop(self) -> None:
        def stopped(result: RollCallResult | None) -> None:
            if result is None:
                self._warn(tr("rc.none", self.lang))
                return
            self.show(result)
            self.notify(tr("rc.stopped", self.lang, id=result.rollcall_id), markup=False)

        runtime = self.runtime
        command(self, runtime, runtime.stop_rollcall, stopped, self._failed, USER_ERRORS)

    def action_recall(self) -> None:
        """Re-call the absent of the roll call shown (one key, no second question: the
        officer confirmed the roll call itself, and these are the ones who did not answer)."""
        lang = self.lang
        if self.runtime.rollcall_running:
            self._warn(tr("run.running_already", lang, what=self._current_id()))
            return
        shown = self.shown
        if shown is None:
            self._warn(tr("rc.none", lang))
            return

        def recalled(call: Any) -> None:
            if call is None:
                self.notify(tr("rc.nobody_absent", lang), markup=False)
                return
            self._pinned = False
            self.show(call.snapshot())
            n, call_id = len(call.spec.members), call.rollcall_id
            self.notify(tr("rc.recalled", lang, n=n, id=call_id), markup=False)

        command(
            self,
            self.runtime,
            lambda: self.runtime.recall_of(shown.rollcall_id),
            recalled,
            self._failed,
            (*USER_ERRORS, RollCallNotFound),
        )

    def _failed(self, exc: Exception) -> None:
        self._warn(tr("run.failed", self.lang, error=clean(say_error(exc, self.lang))))

    def _with_report(self, then: Callable[[Report], None]) -> None:
        if self.shown is None:
            self._warn(tr("rc.none", self.lang))
            return
        rollcall_id = self.shown.rollcall_id
        report = self.runtime.rollcall_report
        read_in_thread(
            self, lambda: report(rollcall_id), then, self._not_found, (RollCallNotFound,)
        )

    def _not_found(self, exc: Exception) -> None:
        self._warn(clean(say_error(exc, self.lang)))

    def action_history(self) -> None:
        read_in_thread(self, self.runtime.rollcalls, self._show_history, group="rc-history")

    def _show_history(self, summaries: list[Any]) -> None:
        lang, tz = self.lang, self.desk.tz
        rows: list[tuple[str, list[Text | str]]] = []
        for r in summaries:
            counts = " ".join(
                f"{Attendance(k).label(lang)}{v}" for k, v in (r.counts or {}).items()
            )
            rows.append(
                (
                    r.rollcall_id,
                    [
                        r.rollcall_id,
                        local_time(r.started_wall, tz, "%m-%d %H:%M"),
                        inert(r.group),
                        tr(f"rc.mode.{r.mode}", lang) if r.mode in MODE_NAMES else r.mode,
                        str(r.members),
                        counts or "…",
                    ],
                )
            )
        columns = (
            "ID",
            tr("rc.col.started", lang),
            tr("rc.group", lang),
            tr("rc.mode", lang),
            tr("rc.col.members", lang),
            tr("rc.col.counts", lang),
        )
        picker = PickTable(
            tr("rc.history", lang),
            columns,
            rows,
            tr("rc.history.keys", lang),
            extra=("c",),
            empty=tr("rc.history.empty", lang),
        )
        self.app.push_screen(picker, self._picked)

    def _picked(self, choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        action, rollcall_id = choice
        result = self.runtime.rollcall_result

        def show(picked: RollCallResult) -> None:
            self._show_picked(action, picked)

        read_in_thread(
            self, lambda: result(rollcall_id), show, self._not_found, (RollCallNotFound,)
        )

    def _show_picked(self, action: str, picked: RollCallResult) -> None:
        if action == "open" or self.shown is None:
            call = self.runtime.rollcall
            self._pinned = call is None or call.rollcall_id != picked.rollcall_id
            self.show(picked)
            return
        pair = sorted((picked, self.shown), key=lambda r: (r.started_wall, r.rollcall_id))
        self.show_compare(pair[0], pair[1])

    def show_compare(self, before: RollCallResult, after: RollCallResult) -> None:
        """What changed from ``before`` to ``after`` for members called both times (a
        re-call has only the absent, so the others are left out, not shown as "-")."""
        lang = self.lang
        changes = [c for c in compare(before, after) if "-" not in (c.before, c.after)]
        lines = [
            f"{c.issi}  {clean(c.alias)}:  {_label(c.before, lang)} → {_label(c.after, lang)}"
            for c in changes
        ] or [tr("rc.compare.none", lang)]
        title = tr("rc.compare.title", lang, a=before.rollcall_id, b=after.rollcall_id)
        self.app.push_screen(ReportView(title, "\n".join(lines), lang))

    # --- helpers ------------------------------------------------------------------------

    def _current_id(self) -> str:
        call = self.runtime.rollcall
        return call.rollcall_id if call is not None else ""

    def _warn(self, message: str) -> None:
        self.notify(message, severity="warning", markup=False)


def _label(value: str, lang: str) -> str:
    try:
        return Attendance(value).label(lang)
    except ValueError:
        return value


def make_screen(app: DutyDeskApp) -> Screen[None]:
    """F5 (``open_screen('rollcall')``)."""
    return RollCallScreen(app)
