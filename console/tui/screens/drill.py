"""F6: readiness drill (拉动演练) -- pick a drill file, check it, run it, read the verdict.

The screen asks the runtime (``load_drill``, ``start_drill``, ``stop_drill``,
``drill_history``, ``drill_report``); the drill engine pages, follows the ladders and
escalations, and the verdict is computed from the event log.  Progress arrives through
the runtime's coalesced feed (:class:`~console.runtime.view.ServiceEvent` ``"drill"``).

Keys: Enter in the path field (or choosing a file) checks it -- every problem is listed
as ``file:line: field: message``; F9 starts (after a confirmation: it pages every unit of
the drill); F10 interrupts; Ctrl+O report; Ctrl+E export; Ctrl+L drill history; Esc back.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static

from console.drills import Drill, DrillProgress, DrillRun
from console.drills.catalogue import drill_files
from console.errors import ConfigError, ConsoleError, say_error
from console.i18n import say
from console.reports import DrillNotFound, Report
from console.runtime.view import Batch, ServiceEvent
from console.tui.offloop import USER_ERRORS, command, read_in_thread
from console.tui.render import clean, clock_text, inert, local_time
from console.tui.screens.report_actions import ReportActions
from console.tui.strings import Key, screen_title, tr
from console.tui.widgets.footer import DeskFooter
from console.tui.widgets.runs import (
    ConfirmRun,
    PickTable,
    bind_keys,
)

if TYPE_CHECKING:
    from console.tui.app import DutyDeskApp

DRILL_KEYS: Final[tuple[Key, ...]] = (
    Key("f9", "start", "开始演练", "Start"),
    Key("f10", "stop", "中止", "Stop"),
    Key("ctrl+o", "report", "报告", "Report"),
    Key("ctrl+e", "export", "导出", "Export"),
    Key("ctrl+l", "history", "记录", "History"),
    Key("escape", "back", "返回", "Back"),
)
"""The drill screen's keys (footer and F1 help)."""

RUNGS: Final[tuple[str, ...]] = ("delivered", "acknowledged", "en_route", "on_scene")
BAR: Final[int] = 24


def shown_path(path: Path) -> str:
    """A path as the officer reads it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path) if path.is_absolute() else str(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def progress_text(p: DrillProgress, drill: Drill, lang: str) -> Text:
    """Units per rung against the participants and targets, then time and escalations."""
    text = Text()
    total = max(1, p.participants)
    width = max(len(tr(f"dr.rung.{r}", lang)) for r in RUNGS)
    for rung, reached in p.reached:
        if rung != "delivered" and drill.deadline_of(rung) is None:
            continue
        label = tr(f"dr.rung.{rung}", lang)
        filled = round(BAR * reached / total)
        text.append(f"{label:<{width}} ", style="bold")
        text.append("█" * filled, style="green" if reached == p.participants else "cyan")
        text.append("░" * (BAR - filled), style="dim")
        text.append(f" {reached:>3}/{p.participants}")
        target = drill.deadline_of(rung)
        if target is not None:
            text.append(f"   {tr('dr.target', lang, s=f'{target:g}')}", style="dim")
        text.append("\n")
    text.append(
        tr("dr.elapsed", lang, elapsed=clock_text(p.elapsed_s), horizon=clock_text(p.horizon_s))
    )
    text.append("   " + tr("dr.escalations", lang, n=p.escalations))
    text.append("   " + tr("dr.unreachable", lang, n=p.unreachable))
    return text


def verdict_text(report: Report, lang: str) -> Text:
    """PASSED / FAILED / INTERRUPTED, then each criterion and why."""
    key = "passed" if report.passed else ("failed" if report.passed is False else "interrupted")
    if report.outcome == "interrupted":
        key = "interrupted"
    style = {"passed": "bold green", "failed": "bold red", "interrupted": "bold yellow"}[key]
    text = Text(f" {tr(f'dr.verdict.{key}', lang)} ", style=f"{style} reverse")
    text.append(f"  {clean(report.id)}  {clean(say(report.title, lang))}")
    for c in report.criteria:
        mark = "✔" if c.passed else "✘"
        line = tr(
            "dr.criterion",
            lang,
            mark=mark,
            rung=tr(f"dr.rung.{c.rung}", lang),
            within=f"{c.within_s:g}",
            achieved=c.achieved,
            total=c.total,
            needed=c.needed,
        )
        text.append("\n" + line, style="green" if c.passed else "red")
    if report.passed is False and report.reasons:
        text.append(f"\n{tr('dr.reasons', lang)}: ")
        text.append("; ".join(clean(say(r, lang)) for r in report.reasons))
    return text


class DrillScreen(ReportActions):
    """Choose, check, run and judge a drill."""

    DEFAULT_CSS = """
    DrillScreen { layout: vertical; }
    DrillScreen #dr-form { height: auto; padding: 0 1; }
    DrillScreen #dr-form Label { padding: 1 1 0 0; }
    DrillScreen #dr-file { width: 1fr; }
    DrillScreen #dr-path { width: 1fr; }
    DrillScreen #dr-check { height: auto; max-height: 10; padding: 0 1; }
    DrillScreen #dr-check.-bad { color: $error; }
    DrillScreen #dr-live { height: 1fr; border: round $accent; padding: 0 1; }
    DrillScreen #dr-verdict { height: auto; margin-top: 1; }
    """

    def __init__(self, app: DutyDeskApp) -> None:
        super().__init__(id="drill")
        self.desk = app
        self.runtime = app.runtime
        self.lang = app.lang
        self.drill: Drill | None = None
        """The checked drill ready to start (None until a file is valid)."""
        self.path: Path | None = None
        self.progress: DrillProgress | None = None
        self.report: Report | None = None
        """The verdict on show (the finished drill, or one reopened from history)."""
        self._unsubscribe: Callable[[], None] | None = None
        bind_keys(self, DRILL_KEYS, self.lang)

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang = self.lang
        files = [(p.name, str(p)) for p in drill_files()]
        with Horizontal(id="dr-form"):
            yield Label(tr("dr.file", lang))
            yield Select(files, prompt=tr("dr.choose", lang), id="dr-file")
            yield Label(tr("dr.path", lang))
            yield Input("", placeholder="drill.toml", id="dr-path")
        yield Static(tr("dr.pick", lang), id="dr-check", markup=False)
        with VerticalScroll(id="dr-live") as live:
            live.border_title = f"{screen_title('drill', lang)} · {tr('dr.progress', lang)}"
            yield Static("", id="dr-progress", markup=False)
            yield Static("", id="dr-verdict", markup=False)
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        self._unsubscribe = self.runtime.subscribe(self._on_batch)
        run = self.runtime.drill
        if run is not None:
            self.drill = run.drill
            self.show_progress(run.progress(finished=not self.runtime.drill_running))
            if run.report is not None:
                self.show_report(run.report)
        if self.desk.live_clock:
            self.set_interval(1.0, self.tick)
        self.query_one("#dr-path", Input).focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # --- choosing and checking ----------------------------------------------------------

    @on(Select.Changed, "#dr-file")
    def _file_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.check(Path(event.value))

    @on(Input.Submitted, "#dr-path")
    def _path_entered(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.check(Path(event.value.strip()).expanduser())

    def selected_path(self) -> Path | None:
        typed = self.query_one("#dr-path", Input).value.strip()
        if typed:
            return Path(typed).expanduser()
        value = self.query_one("#dr-file", Select).value
        return Path(value) if isinstance(value, str) else None

    def check(self, path: Path) -> Drill | None:
        """Load and validate ``path``; show its summary or every problem with its place."""
        lang = self.lang
        box = self.query_one("#dr-check", Static)
        self.drill, self.path = None, path
        try:
            drill = self.runtime.load_drill(shown_path(path))
        except ConfigError as exc:
            problems = exc.all_problems
            lines = [tr("dr.invalid", lang, n=len(problems))]
            lines += [f"  {clean(p.say_one(lang))}" for p in problems]
            box.update(Text("\n".join(lines)))
            box.add_class("-bad")
            return None
        except ConsoleError as exc:
            box.update(Text(clean(exc)))
            box.add_class("-bad")
            return None
        box.remove_class("-bad")
        targets = " / ".join(
            f"{tr(f'dr.rung.{r}', lang)} {drill.deadline_of(r):g}s" for r in drill.deadline_rungs
        )
        summary = tr(
            "dr.summary",
            lang,
            name=clean(drill.name),
            n=len(drill.participants),
            targets=targets or "—",
            criteria=len(drill.criteria),
            scripted=tr("dr.scripted", lang) if drill.scripted else "",
        )
        text = Text(f"✔ {tr('dr.valid', lang)}: {clean(shown_path(path))}\n", style="green")
        text.append(summary, style="")
        for c in drill.criteria:
            at_least = tr("dr.all", lang) if c.at_least == "all" else c.at_least
            rung = tr(f"dr.rung.{c.rung}", lang)
            line = tr("dr.crit", lang, within=f"{c.within_s:g}", rung=rung, at_least=at_least)
            text.append(f"\n  · {line}")
        box.update(text)
        self.drill = drill
        return drill

    # --- live ---------------------------------------------------------------------------

    def _on_batch(self, batch: Batch) -> None:
        run = self.runtime.drill
        for event in batch.events:
            if not (isinstance(event, ServiceEvent) and event.service == "drill"):
                continue
            progress = event.event
            if not isinstance(progress, DrillProgress) or run is None:
                continue
            if progress.drill_id == run.drill_id:
                self.show_progress(progress)
                if progress.finished and run.report is not None:
                    self.show_report(run.report)

    def tick(self) -> None:
        """Once a second while a drill runs: elapsed time moves on."""
        run = self.runtime.drill
        if run is not None and self.runtime.drill_running and run.page_id is not None:
            self.show_progress(run.progress())

    def show_progress(self, progress: DrillProgress) -> None:
        run = self.runtime.drill
        drill = run.drill if run is not None else self.drill
        if drill is None:
            return
        self.progress = progress
        head = Text(f"{clean(progress.drill_id)}  {clean(progress.name)}", style="bold")
        if not progress.finished:
            head.append(f"  · {tr('dr.running', self.lang)}", style="yellow")
        head.append("\n")
        head.append_text(progress_text(progress, drill, self.lang))
        self.query_one("#dr-progress", Static).update(head)
        if not progress.finished:
            self.query_one("#dr-verdict", Static).update("")

    def show_report(self, report: Report) -> None:
        self.report = report
        self.query_one("#dr-verdict", Static).update(verdict_text(report, self.lang))

    # --- actions ------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_start(self) -> None:
        lang = self.lang
        if self.runtime.drill_running:
            run = self.runtime.drill
            what = run.drill_id if run is not None else ""
            self._warn(tr("run.running_already", lang, what=what))
            return
        path = self.selected_path()
        if path is None:
            self._warn(tr("dr.no_file", lang))
            return
        drill = self.check(path)
        if drill is None:
            return
        body = tr("dr.confirm.body", lang, name=clean(drill.name), n=len(drill.participants))
        if drill.scripted:
            body += tr("dr.scripted", lang)

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.start(drill)

        self.app.push_screen(ConfirmRun(tr("dr.confirm.title", lang), body, lang), confirmed)

    @work(exclusive=True, group="drill-start")
    async def start(self, drill: Drill) -> DrillRun | None:
        """Start ``drill`` through the runtime (scripting the simulator may take a moment)."""
        try:
            run = await self.runtime.start_drill(drill)
        except ConsoleError as exc:
            self._warn(tr("run.failed", self.lang, error=clean(say_error(exc, self.lang))))
            return None
        self.report = None
        self.query_one("#dr-verdict", Static).update("")
        self.show_progress(run.progress())
        self.notify(tr("dr.started", self.lang, id=run.drill_id), markup=False)
        return run

    def action_stop(self) -> None:
        run = self.runtime.drill
        if run is None or not self.runtime.drill_running:
            self._warn(tr("dr.none", self.lang))
            return
        lang = self.lang

        def stopped(_: None) -> None:
            self.notify(tr("dr.stopped", lang, id=run.drill_id), markup=False)

        def failed(exc: Exception) -> None:
            self._warn(tr("command.failed", lang, error=clean(say_error(exc, lang))))

        runtime = self.runtime
        command(self, runtime, runtime.stop_drill, stopped, failed, USER_ERRORS)

    def _with_report(self, then: Callable[[Report], None]) -> None:
        if self.report is not None:
            then(self.report)
            return
        run = self.runtime.drill
        if run is None:
            self._warn(tr("dr.none", self.lang))
            return
        drill_id, report = run.drill_id, self.runtime.drill_report
        read_in_thread(self, lambda: report(drill_id), then, self._not_found, (DrillNotFound,))

    def _not_found(self, exc: Exception) -> None:
        self._warn(clean(say_error(exc, self.lang)))

    def action_history(self) -> None:
        read_in_thread(self, self.runtime.drill_history, self._show_history, group="dr-history")

    def _show_history(self, history: list[Any]) -> None:
        lang, tz = self.lang, self.desk.tz
        rows: list[tuple[str, list[Text | str]]] = []
        for r in history:
            verdict = (
                r.outcome
                if r.outcome not in ("passed", "failed", "interrupted")
                else (tr(f"dr.verdict.{r.outcome}", lang))
            )
            rows.append(
                (
                    r.drill_id,
                    [
                        r.drill_id,
                        local_time(r.started_wall, tz, "%m-%d %H:%M"),
                        verdict,
                        f"{r.criteria_met}/{r.criteria_total}",
                        f"{r.pass_rate:.0%}",
                        inert(r.name),
                    ],
                )
            )
        columns = (
            tr("dr.col.drill", lang),
            tr("rc.col.started", lang),
            tr("dr.col.result", lang),
            tr("dr.col.criteria", lang),
            tr("dr.col.rate", lang),
            tr("dr.col.name", lang),
        )
        picker = PickTable(
            tr("dr.history", lang),
            columns,
            rows,
            tr("dr.history.keys", lang),
            empty=tr("dr.history.empty", lang),
        )
        self.app.push_screen(picker, self._picked)

    def _picked(self, choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        drill_id, report = choice[1], self.runtime.drill_report

        def show(found: Report) -> None:
            self.show_report(found)
            self.view_report(found)

        read_in_thread(self, lambda: report(drill_id), show, self._not_found, (DrillNotFound,))

    def _warn(self, message: str) -> None:
        self.notify(message, severity="warning", markup=False)


def make_screen(app: DutyDeskApp) -> Screen[None]:
    """F6 (``open_screen('drill')``)."""
    return DrillScreen(app)
