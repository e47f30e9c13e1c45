"""Readiness drills (拉动演练): a drill file, a headless run, and the verdict.

``load_drill(path, station)`` checks a file (located errors, nothing sent before it is
valid); ``await DrillRun(engine, drill).run()`` runs it on the paging engine and returns
the :class:`~console.reports.Report` computed from the event log.  See ``docs/drills.md``.
"""

from __future__ import annotations

from console.drills.loader import load_drill, load_drill_text
from console.drills.model import Announcement, Criterion, Drill, ScriptedUnits, Simulation
from console.drills.runner import DrillProgress, DrillRun

__all__ = [
    "Announcement",
    "Criterion",
    "Drill",
    "DrillProgress",
    "DrillRun",
    "ScriptedUnits",
    "Simulation",
    "load_drill",
    "load_drill_text",
]
