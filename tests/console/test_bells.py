"""The one rule for every bell (console.bells), on virtual time."""

from __future__ import annotations

from console.bells import BELL_INTERVAL_S, NEWS_GAP_S, BellGovernor


def test_reminders_and_target_alerts_ring_at_most_once_per_interval() -> None:
    bells = BellGovernor()
    rang = [t for t in range(0, 60) if bells.ask(float(t))]  # a bell asked every second
    assert rang == [0, 10, 20, 30, 40, 50]
    assert bells.owed_in(59.0) is None  # what was held back is not rung later


def test_a_new_alarm_rings_at_once_or_a_moment_later_never_not_at_all() -> None:
    bells = BellGovernor()
    assert bells.ask(0.0)  # a reminder
    assert bells.ask(NEWS_GAP_S + 0.5, news=True)  # a new alarm: the short gap is enough
    assert not bells.ask(NEWS_GAP_S + 1.0, news=True)  # another, half a second later: owed
    wait = bells.owed_in(NEWS_GAP_S + 1.0)
    assert wait is not None and abs(wait - 1.5) < 1e-9
    assert not bells.take_owed(NEWS_GAP_S + 2.0)  # not yet
    assert bells.take_owed(2 * NEWS_GAP_S + 0.5)  # rung once its gap has passed
    assert not bells.take_owed(2 * NEWS_GAP_S + 0.6) and bells.owed_in(10.0) is None
    # Five new alarms in one second owe one bell, not five.
    later = 100.0
    assert bells.ask(later, news=True)
    assert not any(bells.ask(later + i / 5, news=True) for i in range(1, 5))
    assert bells.take_owed(later + NEWS_GAP_S) and not bells.take_owed(later + BELL_INTERVAL_S)
