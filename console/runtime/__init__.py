"""The composition root: everything one station's console needs, built and owned in one place.

Why one object: the CLI, the Textual app and the tests all need the same wiring (link →
gateway → event log → incident book → alarm board → paging engine → loudspeaker
broadcasts, the radio voice path, roll calls and drills).  Building it here, from plain
inputs -- the station, a gateway URL, a log path, a clock and the operator's name -- keeps
the App a thin view (backend passed in, messages up, attributes down) and lets tests run
the real wiring on a :class:`~drivers.clock.VirtualClock` against the simulated network.

Rules kept here:

* No Textual.  The UI gets one stream, :meth:`Runtime.subscribe`, of coalesced
  :class:`~console.runtime.view.Batch` es (see :mod:`console.runtime.stream`), so a flood
  of radio traffic can never stall the screen (or the officer's keys).
* Wire events worth keeping (incoming SDS, calls, link changes) are logged by
  :mod:`console.runtime.wire`; ladder rungs, incidents and alarms by their engines.
* Everything runs on the one asyncio loop; the only threads are the link's reader/writer,
  the event log's writer and (demo only) the simulator's.
* Screens call the runtime, never an engine they built themselves: ``start_rollcall``,
  ``start_drill``, ``start_broadcast``, ``ptt_press`` ... return the running objects, and
  what the services report reaches the UI as :class:`~console.runtime.view.ServiceEvent`
  in the same coalesced feed.
* A missing sound card or PortAudio is a state (:attr:`Runtime.voice_notice`), never a
  reason for the console not to start.

The parts, one module each: :mod:`~console.runtime.core` (the :class:`Runtime`: build,
start, close), :mod:`~console.runtime.facade` (what screens may ask, by name),
:mod:`~console.runtime.simulator` (where the link connects; the built-in simulator),
:mod:`~console.runtime.services` (parts plugged in by name), :mod:`~console.runtime.stream`
and :mod:`~console.runtime.logpump` (the UI's batches; committing the log on virtual
time), :mod:`~console.runtime.live` and :mod:`~console.runtime.wire` (live state from the
radio), :mod:`~console.runtime.paging`, :mod:`~console.runtime.audio`,
:mod:`~console.runtime.rollcalls`, :mod:`~console.runtime.drills`, and the common ground
they share (:mod:`~console.runtime.shared`, :mod:`~console.ids`).
"""

from __future__ import annotations

from console.runtime.core import Runtime, default_db_path
from console.runtime.services import Service
from console.runtime.simulator import SimulatorLauncher, ThreadedSimulator
from console.runtime.stream import BUSY_BATCH, BatchListener

__all__ = [
    "BUSY_BATCH",
    "BatchListener",
    "Runtime",
    "Service",
    "SimulatorLauncher",
    "ThreadedSimulator",
    "default_db_path",
]
