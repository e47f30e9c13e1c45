"""F8: push-to-talk on the selected talkgroup, with the floor state.

The key's rules (toggle or hold, when a held key counts as released, what the floor is)
are :class:`console.voice.floor.PttKey`'s; this screen forwards Space/F8 with the time,
runs the radio I/O it asks for in a worker, schedules its hold deadline on the runtime's
clock and shows the floor.  The mode comes from the station file (``ptt_mode = "hold"``
in ``[audio]`` or ``[ui]``), else toggle; ``t`` switches it for this session.

The floor state is read from the gateway: its :class:`~drivers.gateway.CallState` (who
holds the floor: us, or which radio) and the ``+CTXG`` grant answers to our request
(granted, queued, refused).  Keying goes through the voice path
(``runtime.services["voice"]``, which also routes the headset) when one is registered,
otherwise straight to the gateway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.errors import ConsoleError, say_error
from console.tui.render import clean, inert
from console.tui.strings import Key, tr
from console.tui.widgets.footer import DeskFooter
from console.tui.widgets.screenkeys import bind_keys
from console.tui.widgets.units import UnitsTable
from console.voice.floor import AudioReach, Floor, KeyAction, PttKey, PttMode, configured_mode
from drivers.clock import TimerHandle
from drivers.errors import DriverError
from drivers.pei import events as ev

if TYPE_CHECKING:
    from console.tui.app import DutyDeskApp

PTT_KEYS: tuple[Key, ...] = (
    Key("space", "ptt", "讲话", "PTT"),
    Key("f8", "ptt", "讲话", "PTT", show=False),
    Key("t", "toggle_mode", "切换方式", "Hold/toggle"),
    Key("escape", "close", "返回", "Back"),
)
"""Keys of the PTT screen (arrows choose the talkgroup)."""

FLOOR_STYLES: dict[str, str] = {
    "idle": "dim",
    "requested": "bold yellow",
    "ours": "bold white on green",
    "ours_mute": "bold black on yellow",
    "other": "bold cyan",
    "queued": "bold yellow",
    "refused": "bold white on red",
}


class PttScreen(Screen[None]):
    """Talkgroups on the left, the floor and our key state on the right."""

    DEFAULT_CSS = """
    PttScreen { layout: vertical; }
    PttScreen #ptt-head { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    PttScreen #ptt-groups { height: 1fr; border: round $primary-lighten-1; }
    PttScreen #ptt-floor { height: auto; min-height: 5; padding: 1 2; border: heavy $accent; }
    PttScreen #ptt-floor.-ours { border: heavy $success; }
    PttScreen #ptt-floor.-other { border: heavy $warning; }
    """

    def __init__(self, desk: DutyDeskApp, *, mode: PttMode | None = None) -> None:
        super().__init__(id="ptt-screen")
        bind_keys(self, PTT_KEYS, desk.lang)
        self.screen_keys = PTT_KEYS
        self.desk = desk
        self.runtime = desk.runtime
        self.lang = desk.lang
        station = self.runtime.station
        self.key_state = PttKey(mode or configured_mode(station))
        self.groups: list[tuple[int, str]] = [
            (g.gssi, g.display_name(self.lang)) for g in station.groups if g.gssi is not None
        ]
        self.gssi: int | None = self._initial_group()
        self.error: str = ""
        self.names: dict[str, str] = {str(u.issi): u.display_name(self.lang) for u in station.units}
        self._unsubscribe: Callable[[], None] | None = None
        self._hold_timer: TimerHandle | None = None
        self._busy: asyncio.Lock = asyncio.Lock()

    def _initial_group(self) -> int | None:
        """The talkgroup highlighted on the main screen, else the first one."""
        try:
            table = self.desk.main.query_one(UnitsTable)
            row = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            row = None
        if row is not None and row.startswith("g") and row[1:].isdigit():
            return int(row[1:])
        return self.groups[0][0] if self.groups else None

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static("", id="ptt-head", markup=False)
        options = OptionList(
            *(Option(inert(f"◆ {name}  {gssi}"), id=str(gssi)) for gssi, name in self.groups),
            id="ptt-groups",
        )
        options.border_title = tr("ptt.groups", lang)
        yield options
        floor = Static("", id="ptt-floor", markup=False)
        floor.border_title = tr("ptt.floor", lang)
        yield floor
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        gateway = getattr(self.runtime, "gateway", None)
        if gateway is not None:
            self._unsubscribe = gateway.subscribe(self._on_radio)
        else:  # attached to the station service: the voice path there reports the floor
            self._unsubscribe = self.runtime.subscribe(self._on_batch)
        options = self.query_one("#ptt-groups", OptionList)
        if self.gssi is not None:
            options.highlighted = options.get_option_index(str(self.gssi))
        options.focus()
        self.show()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._cancel_hold()

    @on(OptionList.OptionHighlighted, "#ptt-groups")
    def _group(self, event: OptionList.OptionHighlighted) -> None:
        if self.keyed:
            return  # the talkgroup does not change under a keyed radio
        value = event.option.id
        if value is not None and value.isdigit():
            self.gssi = int(value)
            self.show()

    # --- the floor ----------------------------------------------------------------------

    @property
    def mode(self) -> PttMode:
        return self.key_state.mode

    @property
    def keyed(self) -> bool:
        return self.key_state.keyed

    def floor(self) -> tuple[Floor, str | None]:
        """(state, talker) of the selected talkgroup's floor."""
        gateway = getattr(self.runtime, "gateway", None)
        if gateway is None:
            return self.key_state.service_floor(getattr(self.runtime, "voice_state", None))
        return self.key_state.floor(self.key_state.call(gateway.calls, self.gssi))

    def _on_batch(self, batch: Any) -> None:
        if any(getattr(e, "service", None) == "voice" for e in batch.events):
            self.call_later(self.show)

    def show(self) -> None:
        lang = self.lang
        head = Text(tr("ptt.title", lang), no_wrap=True, overflow="ellipsis")
        head.append("  ")
        head.append(tr(f"ptt.mode.{self.mode}", lang), style="bold")
        head.append("  ")
        head.append(tr(f"ptt.hint.{self.mode}", lang), style="dim")
        self.query_one("#ptt-head", Static).update(head)
        state, talker = self.floor()
        text = Text()
        name = dict(self.groups).get(self.gssi or -1, str(self.gssi or "—"))
        text.append(f"{tr('ptt.group', lang)}: ")
        text.append_text(inert(f"{name} ({self.gssi})" if self.gssi else "—", "bold"))
        text.append("\n")
        text.append(f"{tr('ptt.state', lang)}: ")
        reach = AudioReach.of(getattr(self.runtime, "voice_state", None))
        shown = reach.shown_floor(state)
        label = tr(f"ptt.floor.{shown}", lang)
        if state == "other":
            who = self.names.get(talker or "", talker or "?")
            label = tr("ptt.floor.other_who", lang, who=clean(who))
        text.append(f" {label} ", style=FLOOR_STYLES[shown])
        text.append("\n")
        text.append(f"{tr('ptt.keyed', lang)}: ")
        text.append(
            tr("ptt.keyed.yes" if self.keyed else "ptt.keyed.no", lang),
            style="bold" if self.keyed else "dim",
        )
        self._audio_warnings(text, reach)
        if self.error:
            text.append("\n")
            text.append_text(inert(self.error, "red"))
        floor = self.query_one("#ptt-floor", Static)
        floor.update(text)
        floor.set_class(state == "ours", "-ours")
        floor.set_class(state == "other", "-other")

    def _audio_warnings(self, text: Text, reach: AudioReach) -> None:
        """No microphone or no radio audio: said on the screen, with the first reason."""
        lang = self.lang
        lines = [] if reach.microphone else ["ptt.no_mic"]
        lines += [] if reach.receive else ["ptt.no_receive"]
        for key in lines:
            text.append("\n")
            text.append(f"⚠ {tr(key, lang)}", style="bold yellow")
        if lines and reach.problems:
            text.append("\n")
            text.append_text(inert(tr("ptt.audio_why", lang, why=reach.problems[0]), "dim"))

    def _on_radio(self, event: ev.PeiEvent) -> None:
        was_keyed = self.keyed
        if self.key_state.on_radio(event):
            if was_keyed and not self.keyed:
                self._cancel_hold()
            self.call_later(self.show)

    # --- keys ---------------------------------------------------------------------------

    def action_ptt(self) -> None:
        """Space/F8: what :class:`PttKey` decides (key, let go, or keep a held key up).

        The decision is taken at once (so auto-repeats see it); the radio I/O runs in a
        worker, serialised by a lock, so the screen never waits for the network.
        """
        if self.gssi is None and not self.keyed:
            self.error = tr("ptt.no_group", self.lang)
            self.show()
            return
        self._act(self.key_state.press(self.runtime.clock.monotonic()))

    def _act(self, action: KeyAction | None) -> None:
        if action is KeyAction.KEY and self.gssi is not None:
            self.error = ""
            self.run_worker(self._press(self.gssi), group="ptt", exit_on_error=False)
        elif action is KeyAction.RELEASE:
            self.run_worker(self._release(), group="ptt", exit_on_error=False)
        self._schedule_hold()
        self.show()

    def _schedule_hold(self) -> None:
        """One timer on the runtime's clock, at the key's next hold deadline."""
        self._cancel_hold()
        due = self.key_state.due()
        if due is not None:
            delay = max(0.0, due - self.runtime.clock.monotonic())
            self._hold_timer = self.runtime.clock.call_later(delay, self._hold_due)

    def _hold_due(self) -> None:
        self._hold_timer = None
        self._act(self.key_state.expire(self.runtime.clock.monotonic()))

    def _cancel_hold(self) -> None:
        if self._hold_timer is not None:
            self._hold_timer.cancel()
            self._hold_timer = None

    async def _press(self, gssi: int) -> None:
        async with self._busy:
            if not self.keyed:
                return  # let go before the press got its turn
            voice_press = getattr(self.runtime.services.get("voice"), "ptt_press", None)
            try:
                if voice_press is not None:
                    self.key_state.cc = int(await voice_press(gssi, operator=self.runtime.operator))
                else:
                    gateway = self.runtime.gateway
                    cc = self._existing_cc()
                    if cc is None:
                        cc = await gateway.start_group_call(gssi)
                    self.key_state.cc = cc
                    await gateway.ptt_press(cc)
            except (DriverError, ConsoleError) as exc:
                self.key_state.failed()
                self._cancel_hold()
                self.error = tr("ptt.failed", self.lang, error=clean(say_error(exc, self.lang)))
            self.show()

    def _existing_cc(self) -> int | None:
        return None if self.gssi is None else self.runtime.gateway.call_on(self.gssi)

    async def _release(self) -> None:
        async with self._busy:
            cc, self.key_state.cc = self.key_state.cc, None
            voice_release = getattr(self.runtime.services.get("voice"), "ptt_release", None)
            try:
                if voice_release is not None:
                    await voice_release(operator=self.runtime.operator)
                elif cc is not None:
                    await self.runtime.gateway.ptt_release(cc)
            except (DriverError, ConsoleError) as exc:
                self.error = tr("ptt.failed", self.lang, error=clean(say_error(exc, self.lang)))
            self.key_state.released()
            self.show()

    def action_toggle_mode(self) -> None:
        self.key_state.switch_mode()
        self.show()

    def action_close(self) -> None:
        """Back to the main screen; a keyed radio is released first (never left keyed)."""
        self._cancel_hold()
        if self.key_state.release() is KeyAction.RELEASE:
            self.app.run_worker(self._release(), group="ptt", exit_on_error=False)
        self.dismiss()


def make_screen(app: DutyDeskApp) -> Screen[None]:
    """F8 from the main screen."""
    return PttScreen(app)
