"""The runtime's feed: floods are coalesced and bounded, alarms never dropped (no UI)."""

from __future__ import annotations

from console.incidents import Alarm, AlarmRaised
from console.runtime.view import Activity, Batch, Feed, LinkStatus, RosterChanged, UnitState
from drivers.clock import VirtualClock
from tests.factories import OpenRuntime


def _alarm(n: int) -> AlarmRaised:
    return AlarmRaised(
        Alarm(
            f"ALM-{n}", None, "emergency_status", "emergency", "2001", "", "", None, 0.0, 0.0, None
        )
    )


def test_flood_is_bounded_and_alarms_survive() -> None:
    wakes: list[int] = []
    feed = Feed(wake=lambda: wakes.append(1), max_activity=50)
    for i in range(5000):
        feed.activity(Activity("text", float(i), float(i), "2001", "x", text=str(i)))
        feed.push(LinkStatus("up", "sim://demo", signal=i % 32))
        feed.unit(UnitState(2001, "x", "school", last_mono=float(i)))
        if i % 1000 == 0:
            feed.push(_alarm(i))
    assert wakes == [1]  # one wake-up for the whole flood: one flush scheduled
    batch = feed.take()
    texts = [e for e in batch.events if isinstance(e, Activity)]
    assert len(texts) == 50 and texts[-1].text == "4999"
    assert batch.dropped_activity == 4950
    assert [e.alarm.id for e in batch.events if isinstance(e, AlarmRaised)] == [
        f"ALM-{i}" for i in range(0, 5000, 1000)
    ]
    [link] = [e for e in batch.events if isinstance(e, LinkStatus)]
    assert link.signal == 4999 % 32  # only the latest link status is kept
    [roster] = [e for e in batch.events if isinstance(e, RosterChanged)]
    assert roster.units == (UnitState(2001, "x", "school", last_mono=4999.0),)
    assert feed.take().events == ()


async def test_runtime_delivers_batches_at_most_every_interval(open_runtime: OpenRuntime) -> None:
    runtime, clock, sim = open_runtime()
    assert isinstance(clock, VirtualClock)
    batches: list[Batch] = []
    runtime.subscribe(batches.append)
    await runtime.start()
    assert await clock.run_until(lambda: runtime.link.state.value == "up", limit=30, step=0.5)
    assert sim.sim is not None
    for _ in range(30):
        sim.sim.radio(2002).send_text("洪水")
    await clock.run_until(lambda: False, limit=20.0, step=0.5)
    runtime.flush()
    texts = [e for b in batches for e in b.events if isinstance(e, Activity)]
    assert len(texts) == 30
    # The wire log has every text, committed on virtual time (no writer thread).
    records = [r for r in runtime.log.tail(100) if r.kind == "wire.sds_in"]
    assert len(records) == 30
    assert runtime.units[2002].last_what == "text"
