"""Real multicast, inside a private network namespace (never on the host's network).

The workplace rule is that pages must never reach a real 239.x/224.x group from a
development machine, so the sender and the fake speakers run in a throw-away namespace
with only a loopback interface (``unshare -rn``, or ``ip netns`` as root).  When the
machine allows neither, the test is skipped and says why.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo"

SCRIPT = r"""
import asyncio, json, random
import numpy as np
from drivers.audio.g711 import ulaw_decode, ulaw_encode
from drivers.audio.pcm import ArraySource
from drivers.audio.sender import Broadcaster, Destination, UdpSender
from drivers.clock import SystemClock
from fakes.speaker import FakeSpeaker

async def main():
    pcm = (np.sin(np.arange(4000) / 3) * 16000).astype(np.int16)
    rtp_a = await FakeSpeaker(50000, "127.0.0.1", multicast_group="239.255.42.1").start()
    rtp_b = await FakeSpeaker(50000, "127.0.0.1", multicast_group="239.255.42.1").start()
    poly = await FakeSpeaker(5001, "127.0.0.1", multicast_group="224.0.1.116").start()
    other = await FakeSpeaker(50000, "127.0.0.1", multicast_group="239.255.42.2").start()
    dests = [Destination("239.255.42.1", 50000),
             Destination("224.0.1.116", 5001, protocol="polycom", channel=26)]
    sender = UdpSender(interface="127.0.0.1")
    bc = Broadcaster(dests, clock=SystemClock(), sender=sender, rng=random.Random(1))
    stats = await bc.play(ArraySource(pcm))
    for sp, d in ((rtp_a, stats.destinations[0]), (rtp_b, stats.destinations[0]),
                  (poly, stats.destinations[1])):
        await sp.wait_packets(d.packets_sent, timeout=5)
    want = ulaw_decode(ulaw_encode(pcm))
    out = {}
    for name, sp in (("a", rtp_a), ("b", rtp_b), ("poly", poly), ("other", other)):
        await sp.close()
        bcs = sp.broadcasts
        out[name] = {
            "broadcasts": len(bcs),
            "violations": sp.violations,
            "packets": sum(b.packets for b in bcs),
            "frames_ok": all(np.array_equal(f.pcm, want[f.index * 160:(f.index + 1) * 160])
                             for b in bcs for f in b.frames),
            "frames": sum(len(b.frames) for b in bcs),
            "ident": bcs[0].ident if bcs else None,
            "alerts": bcs[0].alerts if bcs else 0,
            "ends": bcs[0].ends if bcs else 0,
        }
    out["sent"] = [d.packets_sent for d in stats.destinations]
    out["errors"] = [d.errors for d in stats.destinations]
    out["ssrc"] = stats.destinations[0].ident
    out["frames_sent"] = stats.frames_sent
    sender.close()
    print(json.dumps(out))

asyncio.run(main())
"""


def _namespace_command(inner: list[str]) -> tuple[list[str], str | None]:
    """A command running ``inner`` in a fresh network namespace, or (reason it can't)."""
    quoted = " ".join(_quote(a) for a in inner)
    unshare = shutil.which("unshare")
    if unshare:
        probe = subprocess.run(
            [unshare, "-rn", "sh", "-c", SETUP], capture_output=True, text=True, timeout=20
        )
        if probe.returncode == 0:
            return [unshare, "-rn", "sh", "-c", f"{SETUP} && exec {quoted}"], None
        reason = f"unshare -rn failed: {probe.stderr.strip()[:120]}"
    else:
        reason = "unshare is not installed"
    ip = shutil.which("ip")
    if ip and os.geteuid() == 0:
        name = f"dutydesk-test-{uuid.uuid4().hex[:8]}"
        add = subprocess.run([ip, "netns", "add", name], capture_output=True, text=True)
        if add.returncode == 0:
            cmd = [ip, "netns", "exec", name, "sh", "-c", f"{SETUP} && {quoted}"]
            return cmd, f"netns:{name}"
        reason += f"; ip netns add failed: {add.stderr.strip()[:120]}"
    return [], reason


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def test_multicast_rtp_and_polycom_in_a_private_namespace() -> None:
    cmd, note = _namespace_command([sys.executable, "-c", SCRIPT])
    if not cmd:
        pytest.skip(f"no private network namespace on this machine ({note})")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with contextlib.ExitStack() as cleanup:
        if note and note.startswith("netns:"):
            cleanup.callback(subprocess.run, ["ip", "netns", "del", note[6:]], capture_output=True)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    # Both members of the group heard the same single broadcast, sample-exact.
    for name in ("a", "b"):
        r = out[name]
        assert r["broadcasts"] == 1 and r["violations"] == [] and r["frames_ok"]
        assert r["packets"] == out["sent"][0] and r["ident"] == out["ssrc"]
    poly = out["poly"]
    assert poly["violations"] == [] and poly["frames_ok"] and poly["alerts"] == 31
    assert poly["ends"] == 12
    # A speaker on another group heard nothing.
    assert out["other"]["packets"] == 0
    assert out["errors"] == [0, 0]
