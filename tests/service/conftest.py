"""Fixtures for the station-service tests: the real ``dutydesk serve`` process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import Reaped, StartService

DUTYDESK = [sys.executable, "-m", "console"]


@pytest.fixture
def start_service(reaped: Reaped) -> StartService:
    """``start_service(db, *options)``: the real ``dutydesk serve --db DB OPTIONS``, returned
    once it serves (its first line names its socket); killed after the test if it still
    runs.  A test that stops it cleanly (SIGTERM, exit 0) does so itself."""

    def start(db: Path, *options: str) -> subprocess.Popen[str]:
        proc = reaped(
            subprocess.Popen(
                [*DUTYDESK, "serve", "--db", str(db), *options],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=os.environ.copy(),
            )
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the service is ready (or died)
        assert "socket" in line, proc.stderr.read() if proc.stderr else line
        return proc

    return start
