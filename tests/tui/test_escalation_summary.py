"""Escalation as one lasting line per page and target, not a toast storm (issue 14).

46 units are paged at once on virtual time; 9 never answer and 17 answer late, so the
1-minute target passes for 26 of them at once and the 3- and 5-minute targets for the 9.
The board keeps one line per target; the officer gets one notice per target, bells are
rate-limited, and F3 names whom it re-pages (leaving out those just re-paged).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console.config import demo_station
from console.deadlines import DeadlineKind, Deadlines
from console.paging.selection import build_request
from console.tui.app import DutyDeskApp
from console.tui.widgets.dialogs import ConfirmDialog
from fakes.behaviour import Behaviour

from .harness import advance, behaviour, make_app, ring_counter, screen_text, settle_screen
from .harness import until_up as link_up

UNITS = 46
NEVER, LATE = 9, 17


def noted(app: DutyDeskApp) -> list[str]:
    """Every notification the App raises, as text (a toast each)."""
    seen: list[str] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(message)
        original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen


def big_app(tmp_path: Path) -> DutyDeskApp:
    """The demo station's first 46 units: 9 never answer, 17 answer after 70 s."""
    units = [u.issi for u in demo_station().units[:UNITS]]
    behaviours = {issi: Behaviour.never() for issi in units[:NEVER]}
    behaviours |= {issi: behaviour(70.0) for issi in units[NEVER : NEVER + LATE]}
    return make_app(tmp_path, units=UNITS, behaviours=behaviours)


async def test_46_units_one_lasting_summary_per_target_not_a_toast_per_unit(
    tmp_path: Path,
) -> None:
    app = big_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        bells = ring_counter(app)
        notes = noted(app)
        await link_up(app)
        runtime = app.runtime
        units = [str(u.issi) for u in runtime.station.units]
        deadlines = Deadlines(
            acknowledge_s=60.0, en_route_s=180.0, on_scene_s=300.0,
        )  # fmt: skip
        runtime.page(build_request(runtime.station, units, text="拉动演练", deadlines=deadlines))
        await advance(app, 320.0, step=1.0)
        board = app.main.board
        summaries = {s.deadline: s for s in board.summaries}
        assert len(board.summaries) == len(summaries) <= 3
        assert set(summaries) == set(DeadlineKind)
        assert len(summaries[DeadlineKind.ACKNOWLEDGE].late) == NEVER + LATE
        assert len(summaries[DeadlineKind.ACKNOWLEDGE].still_late) == NEVER
        assert len(summaries[DeadlineKind.EN_ROUTE].late) == NEVER
        text = screen_text(app)
        assert f"1分钟应答超时 {NEVER + LATE} 个" in text
        assert f"3分钟出发超时 {NEVER} 个" in text and f"5分钟到场超时 {NEVER} 个" in text
        assert f"F3 重呼这 {NEVER} 个" in text
        alerts = [n for n in notes if "超时" in n]
        assert 1 <= len(alerts) <= 3, alerts  # one per target, not one per late unit
        assert len(bells) <= 320 / 10 + 1  # rate-limited (was one per late unit)
        escalated = [e for e in runtime.current_page().escalations if e.step.value == "alert"]  # type: ignore[union-attr]
        assert len(escalated) >= NEVER + LATE + 2 * NEVER  # the engine still alerted each

        # F3 names whom it re-pages and asks; Enter re-pages exactly those.
        await pilot.press("f3")
        await settle_screen(app)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        asked = screen_text(app)
        assert f"重呼 {NEVER} 个单元" in asked
        never = [u for u in runtime.station.units[:NEVER]]
        assert all(u.alias[:4] in asked for u in never[:3])
        await pilot.press("enter")
        await settle_screen(app)
        view = runtime.current_page()
        assert view is not None
        attempts = {r.issi: r.attempts for r in view.responders}
        assert all(attempts[u.issi] >= 2 for u in never)
        # Pressed again soon after: those were just re-paged, so F3 says so, sends nothing.
        await advance(app, 1.0)
        view = runtime.current_page()
        before = {r.issi: r.attempts for r in view.responders}  # type: ignore[union-attr]
        await pilot.press("f3")
        await settle_screen(app)
        assert app.screen is app.main
        assert any("刚刚已重呼" in n for n in notes)
        view = runtime.current_page()
        assert {r.issi: r.attempts for r in view.responders} == before  # type: ignore[union-attr]
