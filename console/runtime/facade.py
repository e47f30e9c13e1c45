"""What the screens may read and ask of the runtime, by the names they have always used.

Thin on purpose: every method hands over to the part that holds the rules (paging desk,
sound, roll calls, drills) so the screens never build an engine themselves, and the
names stay the same however the parts are arranged behind them.  State that a part owns
(the current page, the newest roll call ...) is read through properties, so it cannot be
out of date.
"""

from __future__ import annotations

import os
from typing import Any

from console.broadcast import Broadcast
from console.broadcast.model import Priority, SourceSpec
from console.drills import Drill, DrillRun
from console.drills.model import Announcement
from console.paging.model import AnswerMethod, PageRequest, PageView, Recipient, Rung
from console.reports import Report
from console.reports.history import DrillHistoryRow
from console.rollcall import (
    RollCall,
    RollCallMode,
    RollCallResult,
    RollCallSpec,
    RollCallSummary,
)
from console.runtime.audio import AudioDesk
from console.runtime.drills import Drills
from console.runtime.live import LiveState
from console.runtime.paging import PagingDesk
from console.runtime.rollcalls import RollCalls
from console.runtime.view import GroupState, LinkStatus, UnitState


class RuntimeFacade:
    """The parts' public face; :class:`~console.runtime.Runtime` builds the parts."""

    services: dict[str, object]

    commands_in_thread = False
    """The engines live on the caller's loop and are not thread-safe: a face calls the
    commands right there (they answer in microseconds).  See ``console.tui.offloop``."""

    _live: LiveState
    _desk: PagingDesk
    _audio: AudioDesk
    _rollcalls: RollCalls
    _drills: Drills

    # --- live state -----------------------------------------------------------------------

    @property
    def units(self) -> dict[int, UnitState]:
        return self._live.units

    @property
    def groups(self) -> dict[int, GroupState]:
        return self._live.groups

    @property
    def link_status(self) -> LinkStatus:
        return self._live.link_status

    @property
    def replication(self) -> Any:
        """How shipping to the centre goes (a ``ReplicationStatus``), None without one."""
        part = self.services.get("replication")
        status = getattr(part, "status", None)
        return status() if callable(status) else None

    # --- paging, incidents, alarms --------------------------------------------------------

    @property
    def current_page_id(self) -> str | None:
        return self._desk.current_page_id

    def current_page(self) -> PageView | None:
        """The page the response board shows: the newest one with committed rungs."""
        return self._desk.current_page()

    def page(self, request: PageRequest, *, incident_id: str | None = None) -> str:
        """Send a page through the engine (the page dialog calls this)."""
        return self._desk.page(request, incident_id=incident_id)

    def repage_silent(
        self,
        *,
        page_id: str | None = None,
        units: tuple[int, ...] | None = None,
        operator: str | None = None,
    ) -> int:
        """Re-page every responder of the current page (or ``page_id``) that has not
        acknowledged yet (only ``units`` among them, if given); how many."""
        return len(self._desk.repage_silent(page_id=page_id, units=units, operator=operator))

    def acknowledge_alarm(
        self, alarm_id: str | None = None, *, operator: str | None = None
    ) -> str | None:
        """Acknowledge ``alarm_id`` or the oldest unacknowledged alarm; its id or None."""
        return self._desk.acknowledge_alarm(alarm_id, operator=operator)

    def repage(
        self, page_id: str, *, units: tuple[int, ...] | None = None, operator: str | None = None
    ) -> list[int]:
        """Re-page the silent responders of ``page_id`` (only ``units``, if given)."""
        return self._desk.repage_silent(page_id=page_id, units=units, operator=operator)

    def mark_answered(
        self,
        page_id: str,
        unit: int,
        *,
        method: AnswerMethod | str = AnswerMethod.PHONE,
        rung: Rung | str = Rung.ACKNOWLEDGED,
        operator: str | None = None,
        note: str = "",
    ) -> bool:
        """The officer heard ``unit`` another way (phone, in person) and records its
        answer (``rung``) as their action; False when the ladder had it already."""
        done = self._desk.paging.operator_answer(
            page_id,
            unit,
            operator or self._desk.shared.operator,
            method=AnswerMethod(method),
            rung=Rung(rung),
            note=note,
        )
        self._desk.shared.after_append()
        return done

    def close_page(self, page_id: str, *, operator: str) -> None:
        """Stop following a page: no more sends or escalations for it."""
        self._desk.paging.close_page(page_id, operator)
        self._desk.shared.after_append()

    def move_incident(
        self, incident_id: str, state: str, *, operator: str, note: str | None = None
    ) -> Any:
        """Move an incident along its closed loop (raises if the step is not allowed).

        Closing it ends its pages still followed: their 1/3/5-minute deadlines would
        otherwise go on alerting the officer about an accident that is over."""
        inc = self._desk.book.transition(incident_id, state, operator=operator, note=note)
        if not inc.state.is_open:
            engine = self._desk.paging
            for page_id in inc.pages:
                page = engine.pages.get(page_id)
                if page is not None and not page.closed:
                    engine.close_page(page_id, operator)
        self._desk.shared.after_append()
        return inc

    def open_incident(
        self,
        kind: str,
        title: str,
        *,
        operator: str,
        priority: str = "normal",
        location: str | None = None,
    ) -> Any:
        """Raise an incident by hand (the incidents screen's "new")."""
        inc = self._desk.book.open_incident(
            kind,
            title,
            operator=operator,
            priority=priority,  # type: ignore[arg-type]  # the book checks the value
            location=location,
        )
        self._desk.shared.after_append()
        return inc

    def add_note(self, incident_id: str, text: str, *, operator: str) -> Any:
        """A free-text note on an incident (closed ones too)."""
        inc = self._desk.book.add_note(incident_id, text, operator=operator)
        self._desk.shared.after_append()
        return inc

    def reopen_incident(self, incident_id: str, *, operator: str, reason: str) -> Any:
        """Take a closed incident back into handling, with the reason."""
        inc = self._desk.book.reopen(incident_id, operator=operator, reason=reason)
        self._desk.shared.after_append()
        return inc

    def flush_log(self) -> None:
        """Commit what is queued, so a query sees everything appended so far."""
        self._desk.shared.flush_log()

    def recipient(self, issi: int) -> Recipient:
        """A station unit as a page recipient (ad-hoc for an unknown number)."""
        return self._desk.recipient(issi)

    # --- loudspeakers and the voice path --------------------------------------------------

    def start_broadcast(
        self,
        zones: list[str] | tuple[str, ...],
        source: SourceSpec,
        *,
        priority: Priority | str = Priority.ROUTINE,
        incident: str | None = None,
        operator: str | None = None,
    ) -> Broadcast:
        """Play ``source`` on the station's ``zones`` (raises ``BroadcastError`` first)."""
        return self._audio.start_broadcast(
            zones, source, priority=priority, incident=incident, operator=operator
        )

    @property
    def broadcast_available(self) -> bool:
        """Loudspeakers can be used (the station's broadcast engine is registered)."""
        from console.broadcast import BroadcastEngine

        return isinstance(self.services.get("broadcast"), BroadcastEngine)

    def stop_broadcast(self, broadcast_id: str | None = None) -> None:
        """Stop one broadcast, or every broadcast playing now."""
        self._audio.stop_broadcast(broadcast_id)

    async def announce(self, announcement: Announcement) -> str:
        """A drill's ``[announcement]``: TTS with a chime on its zones; the log line."""
        return await self._audio.announce(announcement)

    @property
    def voice(self) -> Any:
        """The radio voice path (:class:`console.voice.VoicePath`), or None without it."""
        return self._audio.voice

    @property
    def voice_notice(self) -> str | None:
        """Why the voice path is missing or has no sound (PortAudio, devices), for the UI."""
        return self._audio.voice_notice

    @property
    def voice_state(self) -> Any:
        """The voice path's :class:`~console.voice.VoiceState` (None without a voice path)."""
        return self._audio.voice_state

    async def ptt_press(
        self, group: int | str | None = None, *, operator: str | None = None
    ) -> int:
        """Key the radio on ``group`` (default: the first talkgroup); the call number."""
        return await self._audio.ptt_press(group, operator=operator)

    async def ptt_release(self, *, operator: str | None = None) -> None:
        """Let go of PTT (harmless when not pressed)."""
        await self._audio.ptt_release(operator=operator)

    # --- roll calls -----------------------------------------------------------------------

    @property
    def rollcall(self) -> RollCall | None:
        """The newest roll call started here (running or finished)."""
        return self._rollcalls.current

    @property
    def rollcall_running(self) -> bool:
        return self._rollcalls.running

    def rollcall_spec(
        self,
        names: str | list[str] | tuple[str, ...],
        *,
        mode: RollCallMode | str = RollCallMode.STATUS,
        deadline_s: float | None = None,
        late_window_s: float | None = None,
    ) -> RollCallSpec:
        """Resolve a group (or aliases, numbers) into a roll call by this operator."""
        return self._rollcalls.spec(
            names, mode=mode, deadline_s=deadline_s, late_window_s=late_window_s
        )

    def start_rollcall(self, spec: RollCallSpec) -> RollCall:
        """Call ``spec``'s members now (one roll call at a time)."""
        return self._rollcalls.start(spec)

    def stop_rollcall(self) -> RollCallResult | None:
        """End the running roll call now (silent members are absent); its result."""
        return self._rollcalls.stop()

    def recall_absent(self, *, include_unreachable: bool = False) -> RollCall | None:
        """Call again the absent members of the newest roll call (None: nobody to call)."""
        return self._rollcalls.recall_absent(include_unreachable=include_unreachable)

    def recall_of(self, rollcall_id: str, *, include_unreachable: bool = False) -> RollCall | None:
        """Call again the absent members of any logged roll call."""
        return self._rollcalls.recall_of(rollcall_id, include_unreachable=include_unreachable)

    def rollcalls(self) -> list[RollCallSummary]:
        """Every roll call in the log, oldest first."""
        return self._rollcalls.summaries()

    def rollcall_result(self, rollcall_id: str) -> RollCallResult:
        """A logged roll call (raises ``RollCallNotFound``)."""
        return self._rollcalls.result(rollcall_id)

    def rollcall_report(self, rollcall_id: str) -> Report:
        return self._rollcalls.report(rollcall_id)

    # --- drills ---------------------------------------------------------------------------

    @property
    def drill(self) -> DrillRun | None:
        """The newest drill started here (running or finished)."""
        return self._drills.current

    @property
    def drill_error(self) -> str | None:
        """Why the newest drill could not finish (other than its verdict), for the UI."""
        return self._drills.error

    @property
    def drill_running(self) -> bool:
        return self._drills.running

    def load_drill(self, path: str | os.PathLike[str]) -> Drill:
        """Check a drill file against the station (``ConfigError`` with file:line: field)."""
        return self._drills.load(path)

    async def start_drill(self, drill: Drill | str | os.PathLike[str]) -> DrillRun:
        """Check (if a path), script the simulator (if asked) and run a drill; one at a time."""
        return await self._drills.start(drill)

    def stop_drill(self) -> None:
        """Interrupt the running drill (logged as interrupted; its report still exists)."""
        self._drills.stop()

    def drill_history(self) -> list[DrillHistoryRow]:
        """Past drills with their verdicts, oldest first."""
        return self._drills.history()

    def drill_report(self, drill_id: str | None = None) -> Report:
        """A drill's report from the log (default: the newest; raises ``DrillNotFound``)."""
        return self._drills.report(drill_id)
