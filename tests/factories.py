"""What the shared factory fixtures in ``tests/conftest.py`` hand a test.

``reaped`` ends the child processes a test started whatever its outcome, so a failing
assertion never leaves a simulator or a service running; ``start_speaker`` starts fake
loudspeakers that are closed after the test."""

from __future__ import annotations

import subprocess
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from console.runtime import Runtime
    from drivers.clock import VirtualClock
    from fakes.speaker import FakeSpeaker
    from tests.reliability.reliability_harness import FaultRig
    from tests.tui.harness import LoopSimulator

P = TypeVar("P", bound="subprocess.Popen[Any]")


class Reaped:
    """``proc = reaped(subprocess.Popen(...))``: killed (if still running), waited for and
    its pipes closed after the test.  A test that means to stop a process cleanly still
    does so itself and asserts on it; this is only the safety net."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[Any]] = []

    def __call__(self, proc: P) -> P:
        self.procs.append(proc)
        return proc

    def reap(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()


StartSpeaker = Callable[..., Awaitable["FakeSpeaker"]]
"""``await start_speaker(*FakeSpeaker_args)``: a listening fake speaker, closed after the test."""

OpenFaultRig = Callable[..., Awaitable["FaultRig"]]
"""``await open_fault_rig(db, seed=..., **make_fault_rig_options)``: closed after the test."""
OpenRuntime = Callable[..., "tuple[Runtime, VirtualClock, LoopSimulator]"]
"""``open_runtime(**make_runtime_options)``: a runtime (not started) closed after the test."""
StartService = Callable[..., "subprocess.Popen[str]"]
"""``start_service(db, *options)``: a serving ``dutydesk serve``, killed after the test."""
