"""Bells are rate-limited in one place; the reminders stay on screen (issue 14).

Four radios press their emergency keys within two seconds and nobody acknowledges for a
minute of virtual time: every alarm reminds every 10 s (24 reminders), but the console
rings once for the first alarm, once (a moment later) for the ones right behind it and
then at most once per 10 s -- while the banner keeps saying how many wait and for how
long.
"""

from __future__ import annotations

from pathlib import Path

from console.bells import BELL_INTERVAL_S, NEWS_GAP_S
from console.incidents import AlarmReminder

from .harness import advance, make_app, ring_counter, screen_text, sim_of, until_up

RADIOS = (2001, 2002, 2003, 2004)


async def test_four_alarms_a_minute_of_reminders_few_bells(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)):
        bells = ring_counter(app)
        reminders: list[AlarmReminder] = []
        app.runtime.alarms.subscribe(
            lambda e: reminders.append(e) if isinstance(e, AlarmReminder) else None
        )
        await until_up(app)
        for radio in RADIOS:
            sim_of(app).radio(radio).send_status(0)
            await advance(app, 0.5, step=0.25)
        assert len(app.runtime.alarms.unacknowledged()) == len(RADIOS)
        await advance(app, NEWS_GAP_S + 0.5, step=0.25)
        assert len(bells) == 2  # the first alarm, then one owed bell for the three behind
        await advance(app, 60.0)
        assert len(reminders) >= 20  # the alarms went on reminding ...
        assert len(bells) <= 2 + 60 / BELL_INTERVAL_S + 1  # ... the bell did not each time
        text = screen_text(app)
        assert "另有 3 条待确认" in text and "秒未确认" in text  # still on screen
