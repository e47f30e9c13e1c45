"""F8: push-to-talk on the selected talkgroup, with the floor state.

**Toggle** (the default): Space or F8 keys the radio (``AT+CTXD``); the same key again
lets go (``AT+CUTXC``).  **Hold**: terminals do not report key *release* -- they repeat
the key while it is held (after an initial delay of about half a second) and then stop
-- so "hold" means: the first press keys the radio, every auto-repeat keeps it keyed,
and it is released automatically ``HOLD_GAP_S`` after the last repeat (the key was let
go) or after ``HOLD_MAX_S`` at most (a stuck key never jams the talkgroup).  The mode
comes from the station file (``ptt_mode = "hold"`` in ``[audio]`` or ``[ui]`` when the
loader knows it), else toggle; ``t`` switches it for this session.

The floor state is read from the gateway: its :class:`~drivers.gateway.CallState` (who
holds the floor: us, or which radio) and the ``+CTXG`` grant answers to our request
(granted, queued, refused).  Keying goes through the voice path
(``runtime.services["voice"]``, which also routes the headset) when one is registered,
otherwise straight to the gateway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.config import Station
from console.errors import ConsoleError
from console.tui.render import clean, inert
from console.tui.strings import Key, tr
from console.tui.widgets.footer import DeskFooter
from console.tui.widgets.screenkeys import bind_keys
from console.tui.widgets.units import UnitsTable
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

HOLD_GAP_S = 0.7
"""Hold mode: no auto-repeat for this long means the key was released."""
HOLD_MAX_S = 60.0
"""Hold mode: the longest a single press keeps the radio keyed."""

PttMode = Literal["toggle", "hold"]
Floor = Literal["idle", "requested", "ours", "other", "queued", "refused"]
FLOOR_STYLES: dict[str, str] = {
    "idle": "dim",
    "requested": "bold yellow",
    "ours": "bold white on green",
    "other": "bold cyan",
    "queued": "bold yellow",
    "refused": "bold white on red",
}


def configured_mode(station: Station) -> PttMode:
    """``hold`` if the station file asks for it (``[audio]``/``[ui]`` ``ptt_mode``)."""
    for table in (getattr(station, "ui", None), station.audio):
        value = getattr(table, "ptt_mode", None)
        if value is None and isinstance(table, dict):
            value = table.get("ptt_mode")
        if isinstance(value, str) and value.strip().lower() == "hold":
            return "hold"
    return "toggle"


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
        self.mode: PttMode = mode or configured_mode(station)
        self.groups: list[tuple[int, str]] = [
            (g.gssi, g.display_name(self.lang)) for g in station.groups if g.gssi is not None
        ]
        self.gssi: int | None = self._initial_group()
        self.keyed = False
        """We asked for the floor (pressed) and have not let go."""
        self.cc: int | None = None
        self.grant: int | None = None
        """The last ``+CTXG`` grant answer to our request (0 granted, 1 refused, 2 queued)."""
        self.error: str = ""
        self.names: dict[str, str] = {str(u.issi): u.display_name(self.lang) for u in station.units}
        self._unsubscribe: Callable[[], None] | None = None
        self._hold_gap: Timer | None = None
        self._hold_max: Timer | None = None
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
        self._stop_hold_timers()

    @on(OptionList.OptionHighlighted, "#ptt-groups")
    def _group(self, event: OptionList.OptionHighlighted) -> None:
        if self.keyed:
            return  # the talkgroup does not change under a keyed radio
        value = event.option.id
        if value is not None and value.isdigit():
            self.gssi = int(value)
            self.show()

    # --- the floor ----------------------------------------------------------------------

    def _voice_floor(self) -> tuple[Floor, str | None]:
        """The floor as the service's voice path reports it (an attached console)."""
        state = getattr(self.runtime, "voice_state", None)
        floor = getattr(state, "floor", "idle") if state is not None else "idle"
        if floor == "other":
            return "other", getattr(state, "talker", None)
        if floor == "granted":
            return ("ours", None) if self.keyed else ("idle", None)
        if floor in ("requested", "queued", "refused"):
            return floor, None  # type: ignore[return-value]
        return ("requested", None) if self.keyed else ("idle", None)

    def _on_batch(self, batch: Any) -> None:
        if any(getattr(e, "service", None) == "voice" for e in batch.events):
            self.call_later(self.show)

    def call(self) -> Any:
        """The gateway's call on the selected talkgroup (a CallState), if any."""
        calls = self.runtime.gateway.calls
        if self.cc is not None and self.cc in calls:
            return calls[self.cc]
        for state in calls.values():
            if self.gssi is not None and state.group == str(self.gssi):
                return state
        return None

    def floor(self) -> tuple[Floor, str | None]:
        """(state, talker) of the selected talkgroup's floor."""
        if getattr(self.runtime, "gateway", None) is None:
            return self._voice_floor()
        call = self.call()
        if call is not None and call.ours and self.keyed:
            return "ours", None
        if call is not None and call.talker and not call.ours:
            return "other", str(call.talker)
        if self.keyed:
            if self.grant == 1:
                return "refused", None
            if self.grant == 2:
                return "queued", None
            return "requested", None
        if self.grant == 1:
            return "refused", None
        return "idle", None

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
        label = tr(f"ptt.floor.{state}", lang)
        if state == "other":
            who = self.names.get(talker or "", talker or "?")
            label = tr("ptt.floor.other_who", lang, who=clean(who))
        text.append(f" {label} ", style=FLOOR_STYLES[state])
        text.append("\n")
        text.append(f"{tr('ptt.keyed', lang)}: ")
        text.append(
            tr("ptt.keyed.yes" if self.keyed else "ptt.keyed.no", lang),
            style="bold" if self.keyed else "dim",
        )
        if self.error:
            text.append("\n")
            text.append_text(inert(self.error, "red"))
        floor = self.query_one("#ptt-floor", Static)
        floor.update(text)
        floor.set_class(state == "ours", "-ours")
        floor.set_class(state == "other", "-other")

    def _on_radio(self, event: ev.PeiEvent) -> None:
        if isinstance(event, ev.TxGranted) and self.cc is not None and event.cc == self.cc:
            if event.grant in (0, 1, 2):
                self.grant = event.grant
        elif isinstance(event, ev.CallReleased) and event.cc == self.cc:
            self.keyed = False
            self.cc = None
            self._stop_hold_timers()
        if isinstance(event, ev.TxGranted | ev.TxCeased | ev.CallReleased | ev.IncomingCall):
            self.call_later(self.show)

    # --- keys ---------------------------------------------------------------------------

    def action_ptt(self) -> None:
        """Space/F8: key or release (toggle), or key and keep keyed while held (hold).

        The decision is taken at once (so auto-repeats see it); the radio I/O runs in a
        worker, serialised by a lock, so the screen never waits for the network.
        """
        if self.mode == "toggle":
            if self.keyed:
                self.unkey()
            else:
                self.key()
            return
        if not self.keyed:
            self.key()
            self._hold_max = self.set_timer(HOLD_MAX_S, self._hold_expired)
        if self._hold_gap is not None:  # an auto-repeat: the key is still down
            self._hold_gap.stop()
        self._hold_gap = self.set_timer(HOLD_GAP_S, self._hold_expired)

    def key(self) -> None:
        """Key the radio on the selected talkgroup (``AT+CTXD``, after call set-up)."""
        if self.gssi is None:
            self.error = tr("ptt.no_group", self.lang)
            self.show()
            return
        self.keyed = True
        self.error = ""
        self.grant = None
        self.show()
        self.run_worker(self._press(self.gssi), group="ptt", exit_on_error=False)

    def unkey(self) -> None:
        """Let go of the floor (``AT+CUTXC``)."""
        self._stop_hold_timers()
        if not self.keyed:
            return
        self.keyed = False
        self.show()
        self.run_worker(self._release(), group="ptt", exit_on_error=False)

    def _hold_expired(self) -> None:
        self._stop_hold_timers()
        self.unkey()

    def _stop_hold_timers(self) -> None:
        for timer in (self._hold_gap, self._hold_max):
            if timer is not None:
                timer.stop()
        self._hold_gap = self._hold_max = None

    async def _press(self, gssi: int) -> None:
        async with self._busy:
            if not self.keyed:
                return  # let go before the press got its turn
            voice_press = getattr(self.runtime.services.get("voice"), "ptt_press", None)
            try:
                if voice_press is not None:
                    self.cc = int(await voice_press(gssi, operator=self.runtime.operator))
                else:
                    gateway = self.runtime.gateway
                    cc = self._existing_cc()
                    if cc is None:
                        cc = await gateway.start_group_call(gssi)
                    self.cc = cc
                    await gateway.ptt_press(cc)
            except (DriverError, ConsoleError) as exc:
                self.keyed = False
                self.cc = None
                self.error = tr("ptt.failed", self.lang, error=clean(exc))
            self.show()

    def _existing_cc(self) -> int | None:
        return None if self.gssi is None else self.runtime.gateway.call_on(self.gssi)

    async def _release(self) -> None:
        async with self._busy:
            cc, self.cc = self.cc, None
            voice_release = getattr(self.runtime.services.get("voice"), "ptt_release", None)
            try:
                if voice_release is not None:
                    await voice_release(operator=self.runtime.operator)
                elif cc is not None:
                    await self.runtime.gateway.ptt_release(cc)
            except (DriverError, ConsoleError) as exc:
                self.error = tr("ptt.failed", self.lang, error=clean(exc))
            self.grant = None
            self.show()

    def action_toggle_mode(self) -> None:
        self.mode = "hold" if self.mode == "toggle" else "toggle"
        self.show()

    def action_close(self) -> None:
        """Back to the main screen; a keyed radio is released first (never left keyed)."""
        if self.keyed:
            self.keyed = False
            self._stop_hold_timers()
            self.app.run_worker(self._release(), group="ptt", exit_on_error=False)
        self.dismiss()


def make_screen(app: DutyDeskApp) -> Screen[None]:
    """F8 from the main screen."""
    return PttScreen(app)
