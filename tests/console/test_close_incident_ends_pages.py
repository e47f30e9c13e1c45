"""Closing an incident ends its pages (issue 14): no 5-minute alert for a closed accident."""

from __future__ import annotations

import pytest

from console.paging.selection import build_request
from fakes.behaviour import Behaviour
from tests.factories import OpenRuntime


def _escalations(runtime: object) -> int:
    counts = runtime.log.count_by_kind()  # type: ignore[attr-defined]
    return sum(n for kind, n in counts.items() if kind.startswith("escalation."))


@pytest.mark.parametrize("close", [True, False])
async def test_closing_the_incident_closes_its_page_and_nothing_escalates_after(
    open_runtime: OpenRuntime, close: bool
) -> None:
    """``close=False`` is the control: the same silent page does escalate."""
    silent = {i: Behaviour.never() for i in range(2001, 2005)}
    runtime, clock, _ = open_runtime(units=4, behaviours=silent)
    await runtime.start()
    assert await clock.run_until(lambda: runtime.link.state.value == "up", limit=30)
    request = build_request(runtime.station, ["学校组"], text="XX路交通事故")
    page_id = runtime.page(request)
    await clock.run_until(lambda: False, limit=5, step=0.5)
    view = runtime.current_page()
    assert view is not None and view.incident_id is not None and not view.closed
    if close:
        runtime.move_incident(view.incident_id, "closed", operator="张警官", note="误报")
        assert runtime.paging.pages[page_id].closed
    before = _escalations(runtime)
    await clock.run_until(lambda: False, limit=400, step=1.0)  # past 1/3/5 minutes
    runtime.flush()
    after = _escalations(runtime)
    assert (after == before) if close else (after > before)
