"""``python -m console sim`` as its own process (a radio that outlives the consoles).

The simulator prints one line per cable event and call to its stdout.  A pipe nobody
reads holds 64 KiB; the print after that blocks, and with it the simulator's whole event
loop: it stops answering ``AT`` and even SIGTERM.  That is what made "the next drill
after five or six kills delivers 0/46" (RELIABILITY.md): the harness read only the first
line.  Here a thread reads the pipe for as long as the simulator runs.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def simulator_process(seed: int | None = None) -> Iterator[str]:
    """Start the simulator, yield its pty path; SIGTERM it (and reap it) afterwards."""
    seeded = ["--seed", str(seed)] if seed is not None else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "sim", *seeded],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    path = proc.stdout.readline().strip()
    drain = threading.Thread(target=proc.stdout.read, name="sim-stdout", daemon=True)
    drain.start()
    try:
        assert path, "the simulator printed no pty path"
        yield path
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        drain.join(5)
