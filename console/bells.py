"""When the console may ring the terminal bell: one rule for every bell (issue 14).

Alarms ring when raised and at every reminder, target alerts when a page's target
passes.  Rung one by one, five unacknowledged alarms reminding every ten seconds and a
drill's late units made a bell every second or two -- noise an officer learns to ignore,
which defeats the bell.  So every bell asks here first:

* a **new alarm** (raised, or raised again after an acknowledgement) rings unless a bell
  rang in the last ``news_gap_s`` seconds; then its bell is *owed* and rings as soon as
  that gap has passed -- a new emergency is never silent;
* everything else (reminders, repeats, target alerts) rings at most once per
  ``interval_s`` seconds, and what is held back is not rung later.

What the bell is for stays on screen whatever this says: the alarm banner (with its
reminder count) and the board's lasting lines are drawn by the screens, not here.
Sans-I/O: the caller passes the time (the runtime's clock, virtual in tests) and rings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

BELL_INTERVAL_S: Final = 10.0
"""At most one bell per this many seconds for reminders, repeats and target alerts."""
NEWS_GAP_S: Final = 2.0
"""A new alarm's bell waits at most this long after the previous bell."""


@dataclass
class BellGovernor:
    """Decides, for each bell asked for, whether it rings now (see the module)."""

    interval_s: float = BELL_INTERVAL_S
    news_gap_s: float = NEWS_GAP_S
    _last: float | None = None
    _owed: bool = False

    def ask(self, now: float, *, news: bool = False) -> bool:
        """True: ring now.  ``news``: for a new alarm (owed when held back)."""
        since = None if self._last is None else now - self._last
        if since is None or since >= (self.news_gap_s if news else self.interval_s):
            self._rang(now)
            return True
        if news:
            self._owed = True
        return False

    def owed_in(self, now: float) -> float | None:
        """Seconds until an owed bell may ring (call :meth:`take_owed` then); None: none."""
        if not self._owed or self._last is None:
            return None
        return max(0.0, self._last + self.news_gap_s - now)

    def take_owed(self, now: float) -> bool:
        """True: ring the owed bell now (its gap has passed)."""
        wait = self.owed_in(now)
        if wait is None or wait > 0:
            return False
        self._rang(now)
        return True

    def _rang(self, now: float) -> None:
        self._last = now
        self._owed = False
