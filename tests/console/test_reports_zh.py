"""A zh station's drill and roll call reports speak Chinese throughout (issue 14).

The Markdown and HTML a station files must have no English word in a heading, label,
status or verdict ("PASSED", "Criteria", "5 present, 2 late, 3 absent"), and must name
the station.  What may stay ASCII: numbers, unit numbers, ids and codes (D1, INC-0001,
p50), and the drill file's own name.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from console.drills import load_drill_text
from console.reports import Report, render, report_of
from console.rollcall.model import (
    Attendance,
    MemberResult,
    RollCallMode,
    RollCallResult,
    Talker,
)
from tests.console.test_drill_run import DRILL, drill_rig, run_drill, station
from tests.console.test_paging_rig import OpenPagingRig

STATION = "测试派出所"
WORD = re.compile(r"[A-Za-z]{2,}")
CODE = re.compile(r"\b[A-Z]{1,4}-[0-9][0-9-]*\b")
"""Ids such as INC-0001, RC-0001, P20260101-080000-001 are codes, not words."""


def english_words(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    for keep in allowed:
        text = text.replace(keep, "")
    return WORD.findall(CODE.sub("", text))


class _Text(HTMLParser):
    """The text a reader sees: element text, not tags, attributes or the style sheet."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


@pytest.fixture
async def drill_report(open_paging_rig: OpenPagingRig) -> Report:
    st = station()
    drill = load_drill_text(DRILL, st, "drill.toml")
    prig = await drill_rig(open_paging_rig, drill, st)
    return await run_drill(prig, drill, "D1")


def test_zh_drill_report_in_markdown_and_html_has_no_english_words(
    drill_report: Report,
) -> None:
    assert drill_report.passed is False  # a failed drill: verdict, reasons, misses, escalations
    md = render(drill_report, "markdown", "zh-CN", STATION)
    html = render(drill_report, "html", "zh-CN", STATION)
    for name, text in (("markdown", md), ("html", visible(html))):
        assert english_words(text, ("drill.toml",)) == [], (name, text)
        assert STATION in text, name
        assert "未通过" in text and "通过标准" in text and "响应时间" in text, name
        assert "不可达（不在服务区）" in text and "超时 31.3 秒" in text, name
        assert "300 秒内「到场」达到 全部：3/6（需 6）" in text, name
    assert '<html lang="zh-CN">' in html and f"<title>{STATION} " in html
    # The terminal text (the console's report view) too.
    terminal = render(drill_report, "terminal", "zh-CN", STATION)
    assert english_words(terminal, ("drill.toml",)) == [], terminal


def test_the_same_report_in_english_is_unchanged_for_machines(drill_report: Report) -> None:
    md = render(drill_report, "markdown", "en", STATION)
    assert "FAILED" in md and "## Criteria" in md and "station: 测试派出所" in md
    assert drill_report.reasons == ("all on_scene within 300 s: 3 of 6 (needed 6)",)
    assert '"unreachable (not_reachable)"' in render(drill_report, "json")


def rollcall() -> RollCallResult:
    def member(issi: int, alias: str, how: Attendance, latency: float | None) -> MemberResult:
        cause = "not_reachable" if how is Attendance.UNREACHABLE else ""
        return MemberResult(issi, alias, "school", how, latency, cause=cause)

    return RollCallResult(
        rollcall_id="RC-0001",
        group="学校组",
        mode=RollCallMode.STATUS,
        deadline_s=60.0,
        started_wall=1767225600.0,
        ended_wall=1767225660.0,
        members=(
            member(2001, "星海小学", Attendance.PRESENT, 12.0),
            member(2002, "第一中学", Attendance.LATE, 75.5),
            member(2003, "人民医院", Attendance.ABSENT, None),
            member(2004, "滨江银行", Attendance.UNREACHABLE, None),
        ),
        talkers=(Talker(2001, 12.0, True), Talker(3001, 20.0, False)),
        recall_of="RC-0000",
    )


def test_zh_roll_call_report_counts_and_statuses_in_chinese() -> None:
    report = report_of(rollcall())
    assert report.reasons == ("1 present, 1 late, 1 absent, 1 unreachable",)
    md = render(report, "markdown", "zh-CN", STATION)
    html = visible(render(report, "html", "zh-CN", STATION))
    for name, text in (("markdown", md), ("html", html)):
        assert english_words(text) == [], (name, text)
        assert "出席 1 个，迟到 1 个，缺席 1 个，不可达 1 个" in text, name
        assert "点名 学校组" in text and "方式：状态回复" in text and STATION in text, name
