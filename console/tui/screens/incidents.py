"""F4: incidents -- the closed loop (上报 → 派发 → 处置 → 反馈 → 办结 → 评价).

The list shows the active incidents (most pressing first, the book's order) or all of
them; the right side shows the selected one and its **timeline** read back from the
event log: state changes, notes, the pages sent for it, the units' answers, escalations,
alarms and broadcasts, each with its time.  Keys raise a new incident, change its state
(only the moves the book allows are offered), add a note, close, reopen with a reason,
and page for it.  Every change goes through :class:`~console.incidents.IncidentBook`,
which refuses what the loop does not allow; the screen shows its message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, RadioButton, RadioSet, Static

from console.errors import ConsoleError, say_message
from console.eventlog import EventLogError, EventRecord
from console.i18n import say
from console.incidents import PRIORITIES, Incident, IncidentChanged, IncidentState
from console.incidents.model import HAND_RAISED_KINDS, RADIO_SOURCE
from console.runtime.view import Batch, LogTail
from console.tui.offloop import USER_ERRORS, command
from console.tui.render import inert, local_time
from console.tui.strings import Key, tr
from console.tui.widgets.dialogs import ChoiceDialog, PromptDialog
from console.tui.widgets.footer import DeskFooter
from console.tui.widgets.incidents import PRIORITY_STYLES, priority_label
from console.tui.widgets.screenkeys import bind_keys
from console.tui.widgets.timeline import TIMELINE_HIDDEN, record_line

if TYPE_CHECKING:
    from console.tui.app import DutyDeskApp

INCIDENT_KEYS: tuple[Key, ...] = (
    Key("n", "new", "新建", "New"),
    Key("s", "change_state", "状态", "State"),
    Key("m", "note", "备注", "Note"),
    Key("c", "close_incident", "办结", "Close"),
    Key("r", "reopen", "重开", "Reopen"),
    Key("p", "page", "呼叫", "Page"),
    Key("v", "toggle_all", "全部/进行中", "All/active"),
    Key("escape", "close", "返回", "Back"),
)
"""Keys of the incidents screen (arrows move in the list)."""

TIMELINE_LIMIT = 500


def _initial_state(record: EventRecord) -> bool:
    """The "raised" state record written with ``incident.opened`` (same fact, once)."""
    if record.kind != "incident.state":
        return False
    try:
        return bool(record.data.get("initial"))
    except ValueError:
        return False


class NewIncidentDialog(ModalScreen[tuple[str, str, str] | None]):
    """Title, kind and priority of a new incident: Enter (in the title) or Ctrl+S raises."""

    DEFAULT_CSS = """
    NewIncidentDialog { align: center middle; }
    NewIncidentDialog > Vertical { width: 80%; max-width: 90; height: auto; padding: 0 1;
                                   border: round $accent; background: $panel; }
    NewIncidentDialog RadioSet { layout: horizontal; height: auto; width: 100%; }
    NewIncidentDialog #new-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", show=False),
        Binding("ctrl+s", "submit", show=False),
    ]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical() as box:
            box.border_title = tr("inc.new.title", lang)
            box.border_subtitle = tr("inc.new.keys", lang)
            yield Label(tr("inc.new.what", lang))
            yield Input(id="new-title", compact=True)
            yield Label(tr("inc.new.kind", lang))
            with RadioSet(id="new-kind", compact=True):
                for i, kind in enumerate(HAND_RAISED_KINDS):
                    yield RadioButton(tr(f"inc.kind.{kind}", lang), value=i == 0, compact=True)
            yield Label(tr("inc.new.priority", lang))
            with RadioSet(id="new-priority", compact=True):
                for i, prio in enumerate(PRIORITIES):
                    yield RadioButton(priority_label(prio, lang), value=i == 0, compact=True)
            yield Static("", id="new-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#new-title", Input).focus()

    @on(Input.Submitted, "#new-title")
    def _title_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        title = self.query_one("#new-title", Input).value.strip()
        if not title:
            self.query_one("#new-error", Static).update(tr("dlg.required", self.lang))
            return
        kind = HAND_RAISED_KINDS[max(0, self.query_one("#new-kind", RadioSet).pressed_index)]
        prio = PRIORITIES[max(0, self.query_one("#new-priority", RadioSet).pressed_index)]
        self.dismiss((kind, title, prio))

    def action_cancel(self) -> None:
        self.dismiss(None)


class IncidentsScreen(Screen[None]):
    """The incident list and the selected incident's timeline."""

    DEFAULT_CSS = """
    IncidentsScreen #inc-head { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    IncidentsScreen #inc-body { height: 1fr; }
    IncidentsScreen #inc-list { width: 45%; height: 1fr; border: round $primary-lighten-1; }
    IncidentsScreen #inc-right { width: 1fr; }
    IncidentsScreen #inc-info { height: auto; padding: 0 1; border: round $accent; }
    IncidentsScreen #inc-scroll { height: 1fr; border: round $secondary; }
    IncidentsScreen #inc-timeline { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, desk: DutyDeskApp) -> None:
        super().__init__(id="incidents-screen")
        bind_keys(self, INCIDENT_KEYS, desk.lang)
        self.screen_keys = INCIDENT_KEYS
        self.desk = desk
        self.runtime = desk.runtime
        self.lang = desk.lang
        self.show_all = False
        self.incident_id: str | None = None
        self.names: dict[str, str] = {
            str(u.issi): u.display_name(self.lang) for u in self.runtime.station.units
        }
        self._unsubscribe: Callable[[], None] | None = None

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static("", id="inc-head", markup=False)
        with Horizontal(id="inc-body"):
            table: DataTable[Text] = DataTable(cursor_type="row", id="inc-list")
            table.add_column(tr("col.incident", lang), key="id")
            table.add_column(tr("col.priority", lang), key="priority")
            table.add_column(tr("col.state", lang), key="state")
            table.add_column(tr("col.title", lang), key="title")
            yield table
            with Vertical(id="inc-right"):
                info = Static("", id="inc-info", markup=False)
                info.border_title = tr("inc.detail", lang)
                yield info
                with VerticalScroll(id="inc-scroll") as scroll:
                    scroll.border_title = tr("inc.timeline", lang)
                    yield Static("", id="inc-timeline", markup=False)
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        self._unsubscribe = self.runtime.subscribe(self._on_batch)
        self.refresh_list()
        self.query_one("#inc-list", DataTable).focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _on_batch(self, batch: Batch) -> None:
        if any(isinstance(e, IncidentChanged | LogTail) for e in batch.events):
            self.refresh_list()

    # --- showing ------------------------------------------------------------------------

    def incidents(self) -> list[Incident]:
        book = self.runtime.book
        return list(reversed(book.all())) if self.show_all else book.active()

    def refresh_list(self) -> None:
        """Rebuild the list (a few rows), keep the selection, redraw the detail."""
        lang = self.lang
        head = Text(tr("inc.title", lang), no_wrap=True, overflow="ellipsis")
        head.append(f"  [{tr('inc.all' if self.show_all else 'inc.active', lang)}]")
        self.query_one("#inc-head", Static).update(head)
        table: DataTable[Text] = self.query_one("#inc-list", DataTable)
        incidents = self.incidents()
        table.clear()
        for inc in incidents:
            table.add_row(
                inert(inc.id),
                Text(
                    priority_label(inc.priority, lang), style=PRIORITY_STYLES.get(inc.priority, "")
                ),
                Text(inc.state_label(lang), style="" if inc.is_open else "dim"),
                inert(inc.title),
                key=inc.id,
            )
        ids = [inc.id for inc in incidents]
        if self.incident_id not in ids:
            self.incident_id = ids[0] if ids else None
        if self.incident_id is not None:
            table.move_cursor(row=ids.index(self.incident_id), scroll=True)
        table.border_subtitle = tr("inc.count", lang, n=len(ids))
        self.show_detail()

    @on(DataTable.RowHighlighted, "#inc-list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key is not None and key != self.incident_id:
            self.incident_id = key
            self.show_detail()

    def selected(self) -> Incident | None:
        return self.runtime.book.get(self.incident_id) if self.incident_id else None

    def show_detail(self) -> None:
        inc = self.selected()
        info = self.query_one("#inc-info", Static)
        timeline = self.query_one("#inc-timeline", Static)
        if inc is None:
            info.update(Text(tr("inc.none", self.lang), style="dim"))
            timeline.update("")
            return
        info.update(self.detail_text(inc))

        # The log is read off the UI loop; a newer batch or selection cancels this one.
        async def load() -> None:  # a function, not a coroutine: it may be cancelled unstarted
            await self._load_timeline(inc)

        # (Textual 8 types an async function as a work of result Never, hence the ignore)
        self.run_worker(load, group="inc-timeline", exclusive=True)  # type: ignore[arg-type]

    async def _load_timeline(self, inc: Incident) -> None:
        text = await asyncio.to_thread(self.timeline_text, inc)
        if self.is_mounted and self.incident_id == inc.id:
            self.query_one("#inc-timeline", Static).update(text)

    def detail_text(self, inc: Incident) -> Text:
        lang, tz = self.lang, self.desk.tz
        text = Text()
        text.append_text(inert(inc.id, "bold"))
        text.append("  ")
        text.append_text(inert(inc.title, "bold"))
        text.append("\n")
        text.append(f"{tr('inc.state', lang)}: ")
        text.append(inc.state_label(lang), style="bold cyan")
        text.append(f"  {tr('inc.priority', lang)}: ")
        text.append(priority_label(inc.priority, lang), style=PRIORITY_STYLES.get(inc.priority, ""))
        text.append(f"  {tr('inc.kind', lang)}: ")
        kind = tr(f"inc.kind.{inc.kind}", lang)
        text.append_text(inert(kind))
        text.append("\n")
        text.append(
            f"{tr('inc.opened', lang)}: {local_time(inc.opened_wall, tz, '%m-%d %H:%M:%S')} "
        )
        text.append_text(inert(inc.opened_by))
        if inc.source and inc.source.startswith(RADIO_SOURCE):
            ssi = inc.source.removeprefix(RADIO_SOURCE)
            text.append_text(inert(tr("inc.from_radio", lang, ssi=ssi), "dim"))
        nexts = [s.label(lang) for s in IncidentState if s in inc.allowed_next()]
        text.append("\n")
        text.append(f"{tr('inc.next', lang)}: ")
        text.append(" / ".join(nexts) if nexts else tr("inc.next.none", lang), style="dim")
        return text

    def timeline_text(self, inc: Incident) -> Text:
        """The incident's records from the event log, oldest first (runs in a thread:
        it touches only the log's read connection and plain data)."""
        lang, tz = self.lang, self.desk.tz
        try:
            records = [
                r
                for r in self.runtime.log.query(incident=inc.id, limit=TIMELINE_LIMIT)
                if r.kind not in TIMELINE_HIDDEN and not _initial_state(r)
            ]
        except EventLogError as exc:
            return inert(say_message(exc, lang), "red")
        if not records:
            return Text(tr("inc.timeline.empty", lang), style="dim")
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, record in enumerate(records):
            if i:
                text.append("\n")
            text.append_text(record_line(record, lang, tz, self.names))
        return text

    # --- actions ------------------------------------------------------------------------

    def _fail(self, exc: Exception) -> None:
        message = say_message(exc, self.lang)
        if isinstance(exc, ConsoleError) and exc.hint:
            message = f"{message} — {say(exc.hint, self.lang)}"
        self.notify(message, severity="error", markup=False)

    def _command(self, call: Callable[[], Incident], key: str) -> None:
        """An incident command through the runtime (off the UI loop when it is the
        station service's); ``key`` words the notice once it is done."""
        command(self, self.runtime, call, lambda inc: self._done(inc, key), self._fail, USER_ERRORS)

    def _done(self, inc: Incident, key: str) -> None:
        self.incident_id = inc.id
        self.notify(tr(key, self.lang, id=inc.id), markup=False)
        self.refresh_list()

    def action_new(self) -> None:
        def raised(result: tuple[str, str, str] | None) -> None:
            if result is None:
                return
            kind, title, priority = result
            book, operator = self.runtime.book, self.runtime.operator
            self._command(
                lambda: book.open_incident(
                    kind,
                    title,
                    operator=operator,
                    priority=priority,  # type: ignore[arg-type]
                ),
                "inc.raised",
            )

        self.app.push_screen(NewIncidentDialog(self.lang), raised)

    def action_change_state(self) -> None:
        inc = self.selected()
        if inc is None:
            return
        lang = self.lang
        choices = [(s.value, s.label(lang)) for s in IncidentState if s in inc.allowed_next()]
        if not choices:
            self.notify(tr("inc.no_moves", lang, state=inc.state_label(lang)), markup=False)
            return

        def picked(state: str | None) -> None:
            if state is not None:
                self._ask_note(inc.id, IncidentState(state))

        self.app.push_screen(
            ChoiceDialog(tr("inc.state.title", lang, id=inc.id), choices, lang), picked
        )

    def _ask_note(self, incident_id: str, state: IncidentState) -> None:
        lang = self.lang

        def noted(note: str | None) -> None:
            if note is None:
                return
            book, operator = self.runtime.book, self.runtime.operator
            self._command(
                lambda: book.transition(incident_id, state, operator=operator, note=note or None),
                "inc.changed",
            )

        self.app.push_screen(
            PromptDialog(
                tr("inc.state.to", lang, state=state.label(lang)),
                tr("inc.state.note", lang),
                lang,
                required=False,
            ),
            noted,
        )

    def action_note(self) -> None:
        inc = self.selected()
        if inc is None:
            return
        lang = self.lang

        def noted(note: str | None) -> None:
            if not note:
                return
            book, operator = self.runtime.book, self.runtime.operator
            self._command(lambda: book.add_note(inc.id, note, operator=operator), "inc.noted")

        self.app.push_screen(
            PromptDialog(tr("inc.note.title", lang, id=inc.id), tr("inc.note.label", lang), lang),
            noted,
        )

    def action_close_incident(self) -> None:
        inc = self.selected()
        if inc is None:
            return
        if IncidentState.CLOSED not in inc.allowed_next():
            self.notify(
                tr("inc.cannot_close", self.lang, state=inc.state_label(self.lang)),
                severity="warning",
                markup=False,
            )
            return
        self._ask_note(inc.id, IncidentState.CLOSED)

    def action_reopen(self) -> None:
        inc = self.selected()
        if inc is None:
            return
        lang = self.lang
        if inc.is_open:
            self.notify(tr("inc.not_closed", lang), severity="warning", markup=False)
            return

        def reasoned(reason: str | None) -> None:
            if not reason:
                return
            book, operator = self.runtime.book, self.runtime.operator
            self._command(
                lambda: book.reopen(inc.id, operator=operator, reason=reason), "inc.reopened"
            )

        self.app.push_screen(
            PromptDialog(
                tr("inc.reopen.title", lang, id=inc.id), tr("inc.reopen.label", lang), lang
            ),
            reasoned,
        )

    def action_page(self) -> None:
        """Open the page screen for the selected incident."""
        from console.tui.screens.page import PageScreen

        inc = self.selected()
        self.app.push_screen(PageScreen(self.desk, incident_id=inc.id if inc else None))

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.refresh_list()

    def action_close(self) -> None:
        self.dismiss()


def make_screen(app: DutyDeskApp) -> Screen[None]:
    """F4 from the main screen."""
    return IncidentsScreen(app)
