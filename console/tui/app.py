"""The duty officer's Textual console: a thin view over a :class:`~console.runtime.Runtime`.

The runtime (engines, gateway, log) is passed in, so the App holds no business rules and
tests hand it one running on virtual time.  Data flows one way: the runtime's coalesced
batches come in as :class:`RuntimeBatch` messages and go down to the main screen as
attributes; key presses call the engines through the runtime.  Nothing here blocks: the
engines are asyncio on this loop, and the runtime batches high-rate radio traffic.

Other screens (page dialog, incidents, log, roll call, drill, PTT) plug in by name; see
:mod:`console.tui.screens`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
from collections.abc import Callable, Iterable
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import App, ScreenStackError, SystemCommand
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widget import MountError

from console.bells import BellGovernor
from console.errors import say_error
from console.i18n import normalise_lang
from console.incidents import AlarmRaised, AlarmReminder, AlarmRepeated
from console.paging.model import AnswerMethod, OfficerAlert, Rung, manual_choices
from console.paging.summary import AlertDigest, in_flight, repage_candidates
from console.runtime import Runtime
from console.runtime.view import Batch
from console.tui.offloop import USER_ERRORS, command, unanswered
from console.tui.render import clean, inert
from console.tui.screens.help import HelpScreen
from console.tui.screens.main import ALARM_EVENTS, MainScreen
from console.tui.strings import KEYS, screen_title, tr
from console.tui.textual_private import stop_on_exception, write_to_terminal
from console.tui.widgets.alarm import AcknowledgeDialog, AlarmBanner, KindLabels, describe
from console.tui.widgets.board import ResponseBoard
from console.tui.widgets.dialogs import ChoiceDialog, ConfirmDialog, QuitDialog
from drivers.clock import SystemClock, TimerHandle

if TYPE_CHECKING:
    from console.service.remote import RemoteRuntime

__all__ = ["DutyDeskApp", "RuntimeBatch", "ScreenFactory", "inert"]

ScreenFactory = Callable[["DutyDeskApp"], Screen[object]]
DARK, LIGHT = "textual-dark", "textual-light"
MAIN_HELP = "help-main"
"""Name of the installed (reused) F1 help over the main screen."""


class RuntimeBatch(Message):
    """A coalesced batch of engine events, posted on the loop by the runtime listener."""

    def __init__(self, batch: Batch) -> None:
        super().__init__()
        self.batch = batch


class DutyDeskApp(App[None]):
    """The console.  ``runtime`` is started on mount and closed on exit (``manage``)."""

    CSS_PATH = Path(__file__).with_name("styles.tcss")
    TITLE = "DutyDesk"
    screen_factories: ClassVar[dict[str, ScreenFactory]] = {}
    """Extra screens by name (tests, plug-ins); otherwise ``console.tui.screens.<name>``."""

    def __init__(
        self,
        runtime: Runtime | RemoteRuntime,
        lang: str = "zh-CN",
        *,
        tz: tzinfo | None = None,
        theme: str = DARK,
        manage: bool = True,
        live_clock: bool = True,
        freeze_gc: bool = True,
        defer_start: bool | None = None,
        demo: bool = False,
    ) -> None:
        """``manage``: start the runtime on mount and close it on exit (``defer_start``:
        after the first frame; default: on real time only); ``live_clock``: tick the
        clocks once a second; ``freeze_gc``: once the runtime is up, move everything built
        so far out of the cyclic collector's reach (:meth:`_settle_heap`); ``demo``: no
        station file was found, the demo station runs on the simulator -- the status bar
        and the terminal's title say 演示 / DEMO so nobody takes it for the real desk."""
        super().__init__()
        # An attached console's RemoteRuntime answers to the same names the screens use
        # (tests/tui/test_attached.py drives every screen on one against a real service).
        self.runtime = cast(Runtime, runtime)
        self.lang = normalise_lang(lang)
        self.tz = tz if tz is not None else runtime.tz
        self.manage = manage
        self.live_clock = live_clock
        self.freeze_gc = freeze_gc
        self.theme = theme
        self.demo = demo
        name = clean(runtime.station.display_name(self.lang))
        self.title = f"{tr('status.demo', self.lang)} {name}" if demo else name
        self.sub_title = tr("app.title", self.lang)
        for key in KEYS:
            # The map's own bind: App.bind cannot make a priority binding (F12 must work
            # over every screen and dialog, Input focused or not).
            self._bindings.bind(
                key.key,
                key.action,
                key.description(self.lang),
                show=key.show,
                priority=key.priority,
            )
        self._unsubscribe: Callable[[], None] | None = None
        self.started = not manage
        """The runtime has been started (the status bar says "connecting" until then)."""
        self.defer_start = (
            isinstance(runtime.clock, SystemClock) if defer_start is None else defer_start
        )
        """Start the runtime after the first frame (default on real time; on virtual time
        the runtime is started before the App is ready, so a test's clock cannot run
        ahead of it)."""
        self._starting: asyncio.Task[None] | None = None
        self._main = MainScreen(self)
        self.digest = AlertDigest()
        """Which target alerts are news (one notice per page and target)."""
        self.bells = BellGovernor()
        """When a bell may ring: every bell (alarms, reminders, targets) asks it."""
        self._owed_bell: TimerHandle | None = None

    # --- life cycle ---------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The main screen is the bottom of the stack; everything else opens over it."""
        return self._main

    async def on_mount(self) -> None:
        self._unsubscribe = self.runtime.subscribe(self._on_batch)
        self.screen_change_signal.subscribe(self, self._screen_changed)
        if self.live_clock:
            self.set_interval(1.0, self._tick)
        self._title_to_terminal()
        if not self.manage:
            return
        if self.defer_start:
            # Connecting (simulator, link, engines) is not needed for the first frame:
            # paint the panels first ("connecting" in the status bar), then start.
            self.call_after_refresh(self._start_later)
        else:
            await self.runtime.start()
            self._started()

    def _start_later(self) -> None:
        if self._starting is None and self.is_running:
            self._starting = asyncio.ensure_future(self._start_now())

    async def _start_now(self) -> None:
        try:
            await self.runtime.start()
        except Exception as exc:  # as an exception in on_mount would: the console stops
            stop_on_exception(self, exc)
            return
        self._started()

    def _started(self) -> None:
        self.started = True
        self._settle_heap()

    def _settle_heap(self) -> None:
        """After start-up, freeze the heap (:func:`gc.freeze`).

        The console's long-lived objects (Textual's DOM and styles, the station, the
        engines) are a few hundred thousand; every full pass of the cyclic collector
        walked all of them (~100 ms on the 2-core box, a stall of the loop -- and of
        the officer's keys -- every few seconds under radio traffic).  Frozen, they are
        skipped; what is created later is collected as usual.
        """
        if self.freeze_gc:
            gc.collect()
            gc.freeze()

    def _title_to_terminal(self) -> None:
        """Name the station in the terminal's title bar (OSC 2: xterm, tmux, Windows
        Terminal), so a window or tab on the station PC says which desk it is."""
        write_to_terminal(self, f"\x1b]2;{clean(self.title)} - {clean(self.sub_title)}\x07")

    async def on_unmount(self) -> None:
        if self._owed_bell is not None:
            self._owed_bell.cancel()
            self._owed_bell = None
        if self._unsubscribe is not None:
            self._unsubscribe()
        starting = self._starting
        if starting is not None and not starting.done():
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await starting
        if self.freeze_gc and self.started:
            gc.unfreeze()  # what the console froze can be collected once it is gone
        if self.manage:
            await self.runtime.close()

    def _on_batch(self, batch: Batch) -> None:
        # Called by the runtime on this loop; a message keeps handling in Textual's order.
        self.post_message(RuntimeBatch(batch))

    @property
    def main(self) -> MainScreen:
        """The main screen (always at the bottom of the stack once mounted)."""
        return self._main

    @on(RuntimeBatch)
    def _apply(self, message: RuntimeBatch) -> None:
        try:
            self.main.apply(message.batch)
        except NoMatches:  # quitting: a late batch finds the panels already gone
            return
        alarms = ring = news = False
        alerts: list[OfficerAlert] = []
        for event in message.batch.events:
            if isinstance(event, ALARM_EVENTS):
                alarms = True
            if isinstance(event, AlarmRaised | AlarmRepeated | AlarmReminder):
                ring = True
                news = news or isinstance(event, AlarmRaised)
            elif isinstance(event, OfficerAlert):
                alerts.append(event)
        if alerts:
            self._announce(alerts)
        if ring or alerts:
            self.ring(news=news)
        if alarms:
            self.sync_alarm_overlay()

    def ring(self, *, news: bool = False) -> None:
        """Ring the bell if :class:`~console.bells.BellGovernor` says so (``news``: a new
        alarm, whose bell is rung a moment later rather than not at all)."""
        clock = self.runtime.clock
        if self.bells.ask(clock.monotonic(), news=news):
            self.bell()
            return
        wait = self.bells.owed_in(clock.monotonic())
        if wait is not None and self._owed_bell is None:
            self._owed_bell = clock.call_later(wait, self._ring_owed)

    def _ring_owed(self) -> None:
        self._owed_bell = None
        if self.is_running and self.bells.take_owed(self.runtime.clock.monotonic()):
            self.bell()

    def _announce(self, alerts: list[OfficerAlert]) -> None:
        """Deadlines passed: one notice the first time a page's target passes (the board
        keeps the lasting line) -- never a toast per late unit (console.paging.summary
        decides; the bell is :meth:`ring`'s)."""
        for news in self.digest.take(alerts):
            if news.first:
                self.notify(
                    tr(
                        "alert.target",
                        self.lang,
                        target=news.deadline.label(self.lang),
                        n=news.count,
                        page=clean(news.page_id),
                    ),
                    severity="warning",
                    markup=False,
                    timeout=10,
                )

    def _tick(self) -> None:
        self.main.tick()

    # --- alarms above everything ----------------------------------------------------------

    def _screen_changed(self, screen: Screen[object]) -> None:
        # Published before a pushed screen is mounted: look again once it is drawn.
        self.call_after_refresh(self.sync_alarm_overlay)

    def sync_alarm_overlay(self) -> None:
        """Show the alarm queue on the screen on top, whichever it is.

        The main screen has its own banner; any other screen or dialog gets one mounted
        (docked at its top) the first time an alarm waits while it is shown, and kept up
        to date from then on.  Without it an emergency raised while the page screen or
        the log was open showed nothing until the officer went back.
        """
        try:
            screen = self.screen
        except ScreenStackError:  # no screen yet, or quitting
            return
        if screen is self._main or not screen.is_attached:
            return
        pending = self.runtime.alarms.unacknowledged()
        banner = next(iter(screen.query_children(AlarmBanner)), None)
        if banner is None:
            if not pending:
                return
            banner = AlarmBanner(self.lang, self.tz, self._alarm_rules(), id="alarm")
            banner.names = self.main.alarm.names
            try:
                screen.mount(banner)
            except MountError:  # a screen being torn down: the next change tries again
                return
        banner.show(pending, self.runtime.clock.time())

    def _alarm_rules(self) -> KindLabels | None:
        return cast("KindLabels | None", getattr(self.runtime.alarms, "rules", None))

    # --- actions (the key table in console.tui.strings names them) ----------------------

    def action_help(self) -> None:
        if self.screen is not self._main:
            self.push_screen(HelpScreen(self.lang))
            return
        # Over the main screen (nearly always), help is built once and kept: composing
        # and styling it anew cost most of the time F1 took to show.
        if not self.is_screen_installed(MAIN_HELP):
            self.install_screen(HelpScreen(self.lang, screen_keys=()), MAIN_HELP)
        self.push_screen(MAIN_HELP)

    def action_acknowledge_alarm(self) -> None:
        """F12 (on every screen): ask, naming the oldest waiting alarm, then take it.

        While the question is open a second F12 does nothing: the officer acknowledges
        the alarm they read, never the one behind it."""
        if isinstance(self.screen, AcknowledgeDialog):
            return
        pending = self.runtime.alarms.unacknowledged()
        if not pending:
            self.notify(tr("alarm.none", self.lang), markup=False)
            return
        alarm = pending[0]
        names, rules = self.main.alarm.names, self._alarm_rules()
        dialog = AcknowledgeDialog(alarm, self.lang, self.tz, names, rules)

        def done(alarm_id: str | None) -> None:
            if alarm_id is not None:
                what = describe(alarm, self.lang, names, rules, short=True).plain
                self.notify(
                    tr("alarm.acknowledged", self.lang, id=clean(alarm_id), what=what),
                    markup=False,
                )
            self.main.show_alarms()
            self.sync_alarm_overlay()

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                command(
                    self,
                    self.runtime,
                    lambda: self.runtime.acknowledge_alarm(alarm.id),
                    done,
                    self._command_failed,
                    USER_ERRORS,
                )

        self.push_screen(dialog, answered)

    def _command_failed(self, exc: Exception) -> None:
        """A command refused (not done) or unanswered (maybe done: a service that was
        only slow acts on it later): say which, in red."""
        message = say_error(exc, self.lang)
        key = "command.unconfirmed" if unanswered(exc) else "command.failed"
        self.notify(tr(key, self.lang, error=clean(message)), severity="error", markup=False)

    def action_repage_silent(self) -> None:
        """F3: name whom it will re-page (the silent, less those just paged again), ask,
        then re-page exactly those."""
        runtime, lang = self.runtime, self.lang
        view = runtime.current_page()
        if view is None or view.closed:
            self.notify(tr("notice.no_page", lang), markup=False)
            return
        plan = repage_candidates(view, runtime.clock.monotonic())
        if not plan.units:
            key = "notice.repage_none_recent" if plan.just_paged else "notice.repage_none"
            self.notify(tr(key, lang, n=len(plan.just_paged)), markup=False)
            return
        names = self.main.board.names
        body = Text(tr("repage.body", lang, n=len(plan.units), page=clean(view.page_id)))
        body.append("\n")
        aliases = {r.issi: r.alias for r in view.responders}
        body.append_text(
            inert("、".join(names.get(i) or aliases.get(i) or str(i) for i in plan.units))
        )
        if plan.just_paged:
            body.append("\n")
            body.append(tr("repage.skipped", lang, n=len(plan.just_paged)), style="dim")
        units, page_id = plan.units, view.page_id

        def repaged(count: int) -> None:
            self.notify(tr("notice.repaged", lang, n=count), markup=False)

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                command(
                    self,
                    runtime,
                    lambda: runtime.repage_silent(page_id=page_id, units=units),
                    repaged,
                    self._command_failed,
                    USER_ERRORS,
                )

        title = tr("repage.title", lang, n=len(units))
        self.push_screen(ConfirmDialog(title, body, lang, keys="run.confirm_keys"), answered)

    @on(ResponseBoard.MarkAnswered)
    def _mark_answered(self, message: ResponseBoard.MarkAnswered) -> None:
        """Enter on a board cell: ask how the unit answered (电话/当面) and what (收到 /
        出发 / 到场), then hand it to the runtime as this operator's action."""
        runtime, lang = self.runtime, self.lang
        responder, page_id = message.responder, message.page_id
        unit = clean(message.name)
        rungs = manual_choices(responder)
        if not rungs:
            self.notify(tr("manual.none", lang, unit=unit), markup=False)
            return
        choices = [
            (
                f"{method.value}:{rung.value}",
                tr("manual.choice", lang, method=method.label(lang), rung=rung.label(lang)),
            )
            for method in AnswerMethod
            for rung in rungs
        ]

        def answered(value: str | None) -> None:
            if not value:
                return
            method, _, what = value.partition(":")
            how, rung = AnswerMethod(method), Rung(what)

            def recorded(done: bool) -> None:
                key = "manual.done" if done else "manual.already"
                words = {"method": how.label(lang), "rung": rung.label(lang)}
                operator = clean(runtime.operator)
                self.notify(tr(key, lang, unit=unit, operator=operator, **words), markup=False)

            def refused(exc: Exception) -> None:
                error = tr("manual.failed", lang, error=clean(say_error(exc, lang)))
                self.notify(error, severity="error", markup=False)

            command(
                self,
                runtime,
                lambda: runtime.mark_answered(
                    page_id, responder.issi, method=how, rung=rung, operator=runtime.operator
                ),
                recorded,
                refused,
                (*USER_ERRORS, LookupError, ValueError),
            )

        title = tr("manual.title", lang, unit=unit)
        self.push_screen(ChoiceDialog(title, choices, lang), answered)

    async def action_quit(self) -> None:
        """``q``: quit at once when nothing is live; otherwise say what is (pages still
        waiting for answers, a roll call, a drill) and ask."""
        if isinstance(self.screen, QuitDialog):
            return
        live = self.live_work()
        if not live:
            self.exit()
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.exit()

        local = isinstance(self.runtime, Runtime) and self.manage  # not a face of a service
        self.push_screen(QuitDialog(live, self.lang, local=local), answered)

    def live_work(self) -> list[str]:
        """What is still running, in the officer's words (empty: nothing)."""
        runtime, lang = self.runtime, self.lang
        out: list[str] = []
        try:
            paging = runtime.paging
            pages = in_flight(paging.view(page_id) for page_id in list(paging.pages))
        except Exception:  # a half-built runtime (quitting while connecting)
            pages = ()
        if pages:
            out.append(tr("quit.pages", lang, n=len(pages), ids="、".join(pages[:3])))
        if getattr(runtime, "rollcall_running", False):
            out.append(tr("quit.rollcall", lang))
        if getattr(runtime, "drill_running", False):
            out.append(tr("quit.drill", lang))
        return out

    def action_toggle_wire(self) -> None:
        """``w``: the main log tail shows or hides the wire rows (hidden by default)."""
        self.main.toggle_wire()

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_open_screen(self, name: str) -> None:
        """Push the screen registered as ``name``, or say it is not there yet."""
        what = screen_title(name, self.lang)
        try:
            factory = self.find_screen(name)
        except Exception as exc:  # a half-written screen module must not crash the desk
            self.notify(
                tr(
                    "notice.screen_failed",
                    self.lang,
                    what=what,
                    error=clean(say_error(exc, self.lang)),
                ),
                severity="error",
                markup=False,
            )
            return
        if factory is None:
            self.notify(tr("notice.not_yet", self.lang, what=what), markup=False)
            return
        self.push_screen(factory(self))

    def find_screen(self, name: str) -> ScreenFactory | None:
        """A registered factory, or ``make_screen`` of ``console.tui.screens.<name>``."""
        if name in self.screen_factories:
            return self.screen_factories[name]
        module_name = f"console.tui.screens.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        factory = getattr(module, "make_screen", None)
        return factory if callable(factory) else None

    # --- command palette ----------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own commands plus every entry of the key table."""
        yield from super().get_system_commands(screen)
        for key in KEYS:
            if key.palette:
                yield SystemCommand(
                    key.description(self.lang),
                    f"{key.key.upper()}: {key.description('en' if self.lang != 'en' else 'zh')}",
                    self._runner(key.action),
                )

    def _runner(self, action: str) -> Callable[[], object]:
        return lambda: self.run_action(action)
