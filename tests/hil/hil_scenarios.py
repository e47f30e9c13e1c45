"""The bench scenarios, written once for the simulator and for real hardware.

Each function takes a :class:`~hil_bench.Bench` (or a speaker bench) and asserts what a
technician would check by hand: the gateway comes up in TMO with its identity, a group
call gets the floor and PTT works, texts and statuses go out and come back, the radio's
delivery report arrives, a page reaches the test unit through the paging engine, and a
short broadcast reaches the loudspeaker.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Protocol

from console.eventlog import EventLog
from console.paging.engine import PagingEngine
from console.paging.model import PageRequest, Recipient, Rung
from drivers.audio.sender import Broadcaster, BroadcastStats, Destination
from drivers.audio.sources import tone
from drivers.clock import SystemClock
from drivers.link import LinkState
from drivers.pei.events import CallReleased, TxCeased, TxGranted
from drivers.radio_events import DeliveryReport, SdsTransmitted, StatusReceived, TextReceived
from tests.hil.hil_bench import Bench, link_states

BROADCAST_SECONDS = 0.4


async def init_identity_and_mode(bench: Bench) -> None:
    """The init sequence ran: link UP, the gateway's own identity known, TMO mode."""
    assert bench.link.state is LinkState.UP
    assert link_states(bench)[-1:] in ([LinkState.UP], [])
    ident = bench.link.identity
    assert ident.ssi is not None and ident.ssi.isdigit(), f"AT+CNUMF? gave {ident}"
    if bench.expected_identity is not None:
        assert ident.ssi == bench.expected_identity
    assert ident.mode == 0, f"gateway not in TMO (AT+CTOM? = {ident.mode})"


async def group_call_and_ptt(bench: Bench) -> None:
    """Call the group, get the floor, release, press again, hang up."""
    group = bench.group()
    cc = await bench.run(bench.gateway.start_group_call(group), bench.network_time)

    def granted_to_us(times: int) -> bool:
        return sum(1 for g in bench.of(TxGranted) if g.cc == cc and g.ours) >= times

    await bench.wait_for(lambda: granted_to_us(1), bench.network_time, "floor granted to us")
    await bench.run(bench.gateway.ptt_release(cc))
    await bench.wait_for(
        lambda: any(c.cc == cc for c in bench.of(TxCeased)), bench.network_time, "TX ceased"
    )
    await bench.run(bench.gateway.ptt_press(cc))
    await bench.wait_for(lambda: granted_to_us(2), bench.network_time, "floor granted again")
    await bench.run(bench.gateway.ptt_release(cc))
    await bench.run(bench.gateway.hang_up())
    await bench.wait_for(
        lambda: any(r.cc == cc for r in bench.of(CallReleased)),
        bench.network_time,
        "call released",
    )
    assert cc not in bench.gateway.calls


async def text_out_with_delivery_report(bench: Bench) -> None:
    """A Chinese SDS text to the test radio: sent over the air, then its delivery report."""
    unit = bench.unit()
    sent = await bench.run(bench.gateway.send_text(unit, "台架测试：请回复收到"))
    assert len(sent) == 1 and sent[0].message_ref is not None
    ref = sent[0].message_ref
    await bench.wait_for(
        lambda: any(t.instance == sent[0].instance and t.ok for t in bench.of(SdsTransmitted)),
        bench.network_time,
        "+CMGS over-the-air report",
    )
    await bench.wait_for(
        lambda: any(
            r.sender == str(unit) and r.message_ref == ref and r.delivered
            for r in bench.of(DeliveryReport)
        ),
        bench.network_time,
        f"delivery report for message ref {ref}",
    )


async def status_out(bench: Bench) -> None:
    """A pre-coded status to the test radio is accepted and sent over the air."""
    unit = bench.unit()
    sent = await bench.run(bench.gateway.send_status(unit, 0x8002))
    await bench.wait_for(
        lambda: any(t.instance == sent.instance and t.ok for t in bench.of(SdsTransmitted)),
        bench.network_time,
        "status sent over the air",
    )


async def status_in(bench: Bench) -> None:
    """Status 8002 (收到) sent from the test radio reaches the console."""
    unit = bench.unit()
    await bench.radio_sends_status(0x8002)
    await bench.wait_for(
        lambda: any(s.sender == str(unit) and s.value == 0x8002 for s in bench.of(StatusReceived)),
        bench.network_time,
        "status 8002 from the test radio",
    )


async def text_in(bench: Bench) -> None:
    """A text typed on the test radio reaches the console, decoded."""
    unit = bench.unit()
    await bench.radio_sends_text("OK")
    await bench.wait_for(
        lambda: any(t.sender == str(unit) and t.text.strip() for t in bench.of(TextReceived)),
        bench.network_time,
        "text from the test radio",
    )


async def page_through_the_engine(bench: Bench, tmp_path: Path) -> None:
    """A page to the test unit climbs the ladder to DELIVERED, then ACKNOWLEDGED on 8002."""
    unit = bench.unit()
    async with contextlib.AsyncExitStack() as stack:
        log = stack.enter_context(
            EventLog.open(
                tmp_path / "events.db",
                clock=bench.clock,
                background=False,
                durability="normal",
                record_sessions=False,
            )
        )
        engine = PagingEngine(
            bench.gateway, log, clock=bench.clock, operator="台架测试", drive_log=True
        )
        await engine.start()
        stack.push_async_callback(engine.close)
        page_id = engine.page(
            PageRequest(
                recipients=(Recipient(unit, "测试电台"),), text="台架测试：点名，请回复收到"
            )
        )

        def reached(rung: Rung) -> bool:
            resp = engine.view(page_id).responder(unit)
            return resp is not None and resp.has(rung)

        await bench.wait_for(lambda: reached(Rung.SENT), bench.network_time, "page sent")
        await bench.wait_for(lambda: reached(Rung.DELIVERED), bench.network_time, "delivered")
        if not bench.radio_can_act:
            return  # hardware without --hil-interactive: nobody can press 收到 (8002)
        await bench.radio_sends_status(0x8002)
        await bench.wait_for(
            lambda: reached(Rung.ACKNOWLEDGED), bench.network_time, "page acknowledged"
        )
        view = engine.view(page_id)
        assert view.all_acknowledged
        assert not (view.responder(unit) or view.responders[0]).failures


class SpeakerBench(Protocol):
    kind: str
    destination: Destination

    async def verify(self, stats: BroadcastStats) -> None: ...


async def short_broadcast(speaker: SpeakerBench) -> None:
    """A 0.4 s 1 kHz tone to the loudspeaker, paced in real time, with no send errors."""
    bc = Broadcaster([speaker.destination], clock=SystemClock())
    stats = await bc.play(tone(1000.0, BROADCAST_SECONDS))
    assert stats.frames_sent + stats.frames_skipped == round(BROADCAST_SECONDS / 0.02)
    assert all(d.errors == 0 for d in stats.destinations), stats.destinations
    await speaker.verify(stats)
