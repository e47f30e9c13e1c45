"""What the watchful keep-alive costs on the serial line (issue 12).

While a page, roll call or drill is open the link probes the gateway after 1.5 s of quiet
(deadline 1 s) so a silent reboot is noticed within 2.5 s; otherwise after the dialect's
interval.  This measures, over 120 s of virtual time on a quiet line, the bytes both ways
with a page open and with none, against the real link and the simulated MT over a pty,
and reports them as a share of the line's capacity at 9600 and 115200 baud (10 bits a
byte on an 8N1 line: the physical limit).  The windows open on a quiet line (the page's
reports are in before the second one), so every byte in them is a probe or its answer:
the sum of both ways is the probes' own critical path, the line time any other command
may have to wait for (issue 13).  On virtual time the run is deterministic, so one run is
the figure.

Run: .venv/bin/python benchmarks/bench_probe.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (str(ROOT),):
    if p not in sys.path:
        sys.path.insert(0, p)

from console.paging.model import PageRequest, Recipient, Rung  # noqa: E402
from fakes.behaviour import Behaviour  # noqa: E402
from tests.reliability.reliability_harness import make_fault_rig  # noqa: E402

UNITS = (4001, 4002)
WINDOW = 120.0


async def _bytes_over(frig: object, seconds: float) -> int:
    link = frig.rig.link  # type: ignore[attr-defined]
    before = link.bytes_in + link.bytes_out
    await frig.run(seconds, step=0.1)  # type: ignore[attr-defined]
    return int(link.bytes_in + link.bytes_out - before)


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        silent = {i: Behaviour.never() for i in UNITS}
        frig = await make_fault_rig(Path(tmp) / "p.db", seed=1, issis=UNITS, behaviours=silent)
        try:
            await frig.run(15.0)
            idle = await _bytes_over(frig, WINDOW)
            page_id = frig.engine.page(
                PageRequest(recipients=tuple(Recipient(i) for i in UNITS), text="集合")
            )
            page = frig.engine.pages[page_id]
            await frig.clock.run_until(
                lambda: all(r.has(Rung.READ) for r in page.responders.values()), limit=60
            )
            await frig.run(5.0)
            watchful = await _bytes_over(frig, WINDOW)
            probes = frig.rig.link.session.interval
        finally:
            await frig.close()
    for name, n in (("no page open", idle), ("page open (watchful)", watchful)):
        per_s = n / WINDOW
        shares = ", ".join(f"{per_s * 10 / baud:.3%} of {baud} baud" for baud in (9600, 115200))
        print(f"{name}: {n} bytes in {WINDOW:.0f} s = {per_s:.1f} B/s ({shares})")
    print(f"watchful probe interval {probes} s")


if __name__ == "__main__":
    asyncio.run(main())
