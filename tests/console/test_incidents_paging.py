"""The incident book wired into the paging engine as the engine expects it (ad-hoc incident
for a page without one, page attached), over the simulated network on virtual time."""

from __future__ import annotations

import contextlib
from pathlib import Path

from console.eventlog import EventLog
from console.incidents import IncidentBook, IncidentState
from console.paging.engine import PagingEngine
from console.paging.model import PageRequest, Recipient
from tests.rig import Rig

OFFICER = "值班民警"


async def test_page_without_incident_gets_adhoc_incident(tmp_path: Path, rig: Rig) -> None:
    async with contextlib.AsyncExitStack() as stack:
        log = stack.enter_context(
            EventLog.open(tmp_path / "events.db", clock=rig.clock, background=False,
                          durability="normal", record_sessions=False)
        )  # fmt: skip
        book = IncidentBook(rig.clock, log)
        engine = PagingEngine(
            rig.gateway,
            log,
            clock=rig.clock,
            operator=OFFICER,
            incident_factory=lambda title, operator: book.adhoc_for_page(title, operator).id,
            attach_page=book.attach_page,
            drive_log=True,
        )
        await engine.start()
        stack.push_async_callback(engine.close)
        request = PageRequest(
            recipients=(Recipient(2001, "星海实验小学"),),
            text="XX路发生交通事故，附近队员立即前往处置",
            title="XX路交通事故",
        )
        page_id = engine.page(request)
        [incident] = book.active()
        assert incident.kind == "adhoc" and incident.title == "XX路交通事故"
        assert incident.opened_by == OFFICER
        assert incident.pages == (page_id,) and incident.state is IncidentState.DISPATCHED
        # A second page for the same incident is attached to it, not a new incident.
        second = engine.page(
            PageRequest(recipients=(Recipient(2001),), text="再次呼叫"), incident_id=incident.id
        )
        assert book.require(incident.id).pages == (page_id, second)
        await rig.clock.run_until(lambda: False, limit=5.0, step=0.5)
        kinds = [r.kind for r in log.query(incident=incident.id)]
        assert kinds[:4] == [
            "incident.opened", "incident.state", "page.created", "incident.page_attached",
        ]  # fmt: skip
