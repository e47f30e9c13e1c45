"""The real driver (pyserial link + PEI core + gateway service) against the simulated network."""

from __future__ import annotations

import pytest
from rig import GATEWAY_ISSI, make_rig

from drivers.link import LinkState
from drivers.radio_events import DeliveryReport, SdsTransmitted, StatusReceived, TextReceived


async def test_init_learns_identity_and_mode() -> None:
    rig = await make_rig()
    try:
        assert rig.link.state is LinkState.UP
        assert rig.link.identity.ssi == str(GATEWAY_ISSI)
        assert rig.link.identity.mode == 0
    finally:
        await rig.close()


async def test_text_with_delivery_report_and_status_answer() -> None:
    rig = await make_rig()
    try:
        sent = await rig.gateway.send_text(2001, "XX路发生交通事故，附近队员立即前往处置")
        assert len(sent) == 1 and sent[0].message_ref is not None
        ref = sent[0].message_ref
        await rig.wait_for(lambda: any(r.message_ref == ref for r in rig.of(DeliveryReport)))
        assert any(t.ok for t in rig.of(SdsTransmitted))
        await rig.wait_for(lambda: any(s.value == 0x8004 for s in rig.of(StatusReceived)), virtual=600)
        values = [s.value for s in rig.of(StatusReceived) if s.sender == "2001"]
        assert values[:3] == [0x8002, 0x8003, 0x8004]
    finally:
        await rig.close()
