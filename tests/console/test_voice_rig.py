"""The voice path against the production PeiLink/Gateway and the simulated network.

The gateway side is real: ``ATD``/``AT+CTXD`` go over a pty to the fake gateway, and the
floor events (``+CTXG``, ``+CDTXC``) come back from the simulated network's floor
control.  Audio devices are numpy arrays; time is virtual.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from console.voice import ArrayInput, ArraySink, AudioRouter, VoicePath, read_wav
from drivers.pei import events as ev
from tests.rig import OpenRig


async def test_ptt_and_a_radio_talker_through_the_simulated_network(
    tmp_path: Path, open_rig: OpenRig
) -> None:
    rig = await open_rig(trace=True)
    mic = ArrayInput(np.full(8000 * 30, 1234, np.int16), "mic")
    radio_in = ArrayInput(np.arange(8000 * 60, dtype=np.int64).astype(np.int16), "rx")
    radio_out, headset = ArraySink("tx"), ArraySink("headset")
    router = AudioRouter(
        rig.clock, headset_in=mic, headset_out=headset, radio_in=radio_in, radio_out=radio_out
    )
    voice = VoicePath(rig.gateway, rig.clock, router, recordings_dir=tmp_path)
    await voice.start()

    cc = await rig.run(voice.ptt_press(9001, operator="值班民警"))
    await rig.wait_for(lambda: voice.state.transmitting, virtual=5)
    wire = b"".join(r.data for r in rig.link.trace.records if r.direction == "tx")  # type: ignore[union-attr]
    assert b"ATD9001" in wire and f"AT+CTXD={cc},".encode() in wire
    await rig.clock.advance(0.5)
    assert radio_out.frames and all(np.all(f == 1234) for f in radio_out.frames)
    await rig.run(voice.ptt_release())
    assert f"AT+CUTXC={cc}".encode() in b"".join(
        r.data
        for r in rig.link.trace.records
        if r.direction == "tx"  # type: ignore[union-attr]
    )
    sent = len(radio_out.frames)
    await rig.clock.advance(0.3)
    assert len(radio_out.frames) == sent

    # A unit keys up on the same group for 2 s: one recording, talker 2003.
    marks: list[int] = []  # frames the radio input had produced at grant / cease

    def mark(event: ev.PeiEvent) -> None:
        if isinstance(event, ev.TxCeased) or (isinstance(event, ev.TxGranted) and event.grant == 3):
            marks.append(len(radio_in.produced))

    rig.gateway.subscribe(mark)
    rig.sim.radio(2003).key_up(9001, 2.0)
    await rig.wait_for(lambda: bool(voice.recent_recordings()), virtual=5, step=0.02)
    start, end = marks
    [rec] = voice.recent_recordings()
    assert rec.talker == "2003" and rec.group == "9001"
    assert abs(rec.duration_s - 2.0) < 0.1
    recorded = read_wav(rec.path)
    assert np.array_equal(recorded, np.concatenate(radio_in.produced[start:end]))
    await voice.close()
