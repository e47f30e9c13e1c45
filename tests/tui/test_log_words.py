"""Log rows in the officer's words (issue 14): zh kinds and details, no wire rows by default.

A voice page to 学校组 that the units answer up to 到场, then an emergency button, on
virtual time.  The main log tail and the F7 log screen of a zh desk show none of the
codes a technician reads ("read (consumed) by the desti…", "voice.device_problem",
"TxGranted", "32772"); the wire rows are left out of the tail until ``w``, and then say
the status by the station's name for it (0x8004 到场).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.eventlog import EventRecord
from console.logwords import describe
from console.paging.selection import build_request
from console.tui.screens.log import LogScreen

from .harness import advance, make_app, screen_text, settle_screen, sim_of, until_up

RAW = (
    "read (consumed)",
    "received by the destination",
    "voice.device_problem",
    "TxGranted",
    "CallReleased",
    "32772",
    "32770",
    "status 0x",
    "on_scene",
    "wire.",
    "ladder.",
)


def raw_in(text: str) -> list[str]:
    return [r for r in RAW if r in text]


async def test_a_zh_desk_log_says_it_in_chinese_and_hides_wire_rows(tmp_path: Path) -> None:
    app = make_app(tmp_path, units=6)
    async with app.run_test(size=(160, 50)) as pilot:
        await until_up(app)
        runtime = app.runtime
        runtime.page(build_request(runtime.station, ["学校组"], text="XX路交通事故", voice=True))
        await advance(app, 100.0, step=1.0)
        sim_of(app).radio(2004).send_status(0)
        await advance(app, 2.0)
        tail = app.main.logtail
        assert not tail.show_wire
        text = "\n".join(tail.line(r).plain for r in tail.rows if isinstance(r, EventRecord))
        assert "回执:到场" in text and "告警" in text and "紧急状态" in text
        assert "电台状态" not in text and "通话" not in text  # no wire rows by default
        assert raw_in(text) == []
        assert "线路记录已隐藏" in screen_text(app)

        await pilot.press("w")
        await settle_screen(app)
        assert tail.show_wire
        text = "\n".join(tail.line(r).plain for r in tail.rows if isinstance(r, EventRecord))
        assert "电台状态" in text and "0x8004 到场" in text
        assert raw_in(text) == []
        await pilot.press("w")
        await settle_screen(app)
        assert not any(r.kind.startswith("wire.") for r in tail.rows if isinstance(r, EventRecord))

        await pilot.press("f7")
        await advance(app, 1.0)
        assert isinstance(app.screen, LogScreen)
        shown = screen_text(app)
        assert "0x8004 到场" in shown and "回执:到场" in shown
        assert raw_in(shown) == []


KINDS = {
    "wire.sds_in": {"type": "status", "value": 32772},
    "wire.call": {"event": "TxGranted", "group": "9011"},
    "wire.link": {"state": "up", "detail": "sim://demo"},
    "ladder.read": {"source": "report", "detail": "read (consumed) by the destination"},
    "ladder.acknowledged": {"source": "operator", "detail": "phone"},
    "escalation.alert": {"target": "en_route", "detail": "3 min passed"},
    "alarm.raised": {"source": "emergency_status", "value": 0},
    "operator.action": {"action": "answered", "method": "in_person", "rung": "on_scene"},
    "voice.device_problem": {"message": "no microphone"},
    "service.resumed": {"pages": ["P1", "P2"]},
    "rollcall.closed": {"reason": "complete"},
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_worded_in_both_languages(kind: str) -> None:
    zh, zh_detail = describe(kind, KINDS[kind], "zh-CN")
    en, _ = describe(kind, KINDS[kind], "en")
    assert not zh.startswith("log.") and not en.startswith("log.")
    assert zh != en  # the kind has a Chinese name of its own
    assert raw_in(zh + zh_detail) == [], (zh, zh_detail)
    expected = {
        "wire.sds_in": ("电台状态", "0x8004 到场"),
        "wire.call": ("通话", "讲话授权 9011"),
        "ladder.acknowledged": ("收到", "电话（人工登记）"),
        "operator.action": ("值班员操作", "登记应答 当面到场"),
    }
    if kind in expected:
        assert (zh, zh_detail) == expected[kind]
