"""A station service that stops answering never freezes an attached console's screen.

The real ``dutydesk serve`` is stopped with SIGSTOP (a real signal: the process is there
and its socket accepts, but nothing answers, as when the machine is swapping or a debugger
holds it).  The officer acknowledges an alarm on the attached console: that command waits
for the service in a thread, while the console keeps answering keys (F1 opens its help
within a second, well inside the client's 3-second timeout), then says in red that the
service did not answer, so the officer knows to look.  After SIGCONT the service acts on
the request it had all along, once, and the banner goes.  Real time: every wait is a
bounded poll on what the screen shows.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from console.config import demo_station
from console.eventlog import EventLog
from console.service.blocking import TIMEOUT_S
from console.service.paths import find_service
from console.service.remote import RemoteRuntime
from console.tui.app import DutyDeskApp
from console.tui.screens.help import HelpScreen
from console.tui.widgets.alarm import AcknowledgeDialog
from fakes.plugin import SimHandle
from tests.factories import StartService
from tests.service.test_attached_consoles import until


async def test_a_stopped_service_leaves_the_console_answering_keys(
    tmp_path: Path, radios: SimHandle, start_service: StartService
) -> None:
    db = tmp_path / "station.db"
    proc = start_service(db, "--gateway", radios.url)
    reg = find_service(log=db)
    assert reg is not None
    runtime = RemoteRuntime(demo_station(), reg, operator="张警官", position="desk-a")
    app = DutyDeskApp(runtime, "zh-CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: runtime.connected and runtime.link_status.state == "up")
        radios.call(lambda sim: sim.radio(2003).send_status(0))  # emergency button
        await until(pilot, lambda: app.main.has_class("-alarm"))
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, AcknowledgeDialog))

        os.kill(proc.pid, signal.SIGSTOP)
        try:
            asked = time.monotonic()
            await pilot.press("enter")  # the acknowledgement now waits for the service
            await pilot.press("f1")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen), limit=1.0)
            answered_in = time.monotonic() - asked
            assert answered_in < TIMEOUT_S / 2, answered_in
            failed = "服务未应答"
            await until(
                pilot,
                lambda: any(failed in str(n.message) for n in app._notifications),
                limit=TIMEOUT_S + 5.0,
            )
            assert app.main.has_class("-alarm")  # not acknowledged, and it still shows
        finally:
            os.kill(proc.pid, signal.SIGCONT)

        # The request was in the socket all along: the service acts on it once it runs,
        # and the console's picture follows (the console said "not confirmed", not "no").
        await until(pilot, lambda: not app.main.has_class("-alarm"), limit=15.0)
        assert not runtime.alarms.unacknowledged()
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen))
    # A clean stop commits the service's log before it is read (the fixture only kills).
    proc.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(20)
    with EventLog.open_readonly(db) as log:
        acked = list(log.query(kinds=["alarm.acknowledged"]))
    assert [r.operator for r in acked] == ["张警官"]  # once, by the officer who pressed it
