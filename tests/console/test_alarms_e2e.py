"""End to end: radios in the simulated network raise alarms through a real pty, the real
``PeiLink`` and ``Gateway``, into the alarm board and the event log -- on virtual time."""

from __future__ import annotations

import contextlib
from pathlib import Path

from console.eventlog import EventLog
from console.incidents import AlarmBoard, AlarmEvent, AlarmReminder, IncidentBook
from drivers.sds import ReportRequest
from tests.rig import Rig

OFFICER = "张警官"
SMOKE = "烟感报警 3号楼 \x1b[31m[b]配电间[/b]"


async def test_emergencies_and_smoke_text_from_simulated_radios(tmp_path: Path, rig: Rig) -> None:
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(
            EventLog.open(tmp_path / "events.db", clock=rig.clock, durability="normal",
                          background=False)
        )  # fmt: skip
        book = IncidentBook(rig.clock, log)
        board = stack.enter_context(
            contextlib.closing(AlarmBoard(rig.gateway, book, rig.clock, log))
        )
        seen: list[AlarmEvent] = []
        board.subscribe(seen.append)
        rig.sim.radio(2004).send_status(0)
        await rig.wait_for(lambda: len(board.alarms()) == 1)
        rig.sim.radio(2002).emergency_call(9001)
        await rig.wait_for(lambda: len(board.alarms()) == 2)
        rig.sim.radio(2003).send_text(SMOKE, report=ReportRequest.NONE)
        await rig.wait_for(lambda: len(board.alarms()) == 3)
        rig.sim.radio(2004).send_status(0)  # the radio repeats its emergency
        await rig.wait_for(lambda: board.alarms()[0].count == 2)

        first, call, smoke = board.unacknowledged()
        assert (first.source, first.sender) == ("emergency_status", "2004")
        assert (call.source, call.sender, call.called) == ("emergency_call", "2002", "9001")
        assert (smoke.kind, smoke.sender, smoke.text) == ("smoke", "2003", SMOKE)
        assert all(book.require(a.incident_id or "").priority == "emergency" for a in
                   (first, call, smoke))  # fmt: skip

        # Unacknowledged alarms keep reminding on virtual time.
        await rig.clock.advance(first.received_mono + 10.0 - rig.clock.monotonic())
        assert any(isinstance(e, AlarmReminder) and e.alarm.id == first.id for e in seen)
        for alarm in board.unacknowledged():
            board.acknowledge(alarm.id, OFFICER)
        before = len(seen)
        await rig.clock.advance(30.0)
        assert not any(isinstance(e, AlarmReminder) for e in seen[before:])

        log.flush()
        kinds = [r.kind for r in log.query(kinds=["alarm.*"])]
        assert kinds.count("alarm.raised") == 3 and kinds.count("alarm.repeated") == 1
        assert kinds.count("alarm.acknowledged") == 3
        [raised_smoke] = [r for r in log.query(kinds=["alarm.raised"]) if r.unit == "2003"]
        assert raised_smoke.data["text"] == SMOKE
