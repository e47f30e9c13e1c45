"""The status bar's "centre" part: shipping to the command centre, in both languages."""

from __future__ import annotations

from console.replication.core import ReplicationStatus
from console.tui.widgets.statusbar import StatusBar


def line(lang: str, status: ReplicationStatus | None) -> str:
    bar = StatusBar(lang, "值班民警", None)
    bar.replication = status
    return bar.status_line().plain


def test_no_replication_no_centre_part() -> None:
    assert "中心" not in line("zh-CN", None) and "centre" not in line("en", None)


def test_in_sync_backlog_and_unreachable() -> None:
    ok = ReplicationStatus("滨江", True, 120, 0, 0.0)
    behind = ReplicationStatus("滨江", True, 100, 20, 3.4)
    down = ReplicationStatus("滨江", False, 100, 57, 61.0, "connection refused", 4)
    assert "中心 已同步" in line("zh-CN", ok)
    assert "中心 待传 20 条 滞后 3 秒" in line("zh-CN", behind)
    assert "中心 未连接 待传 57 条" in line("zh-CN", down)
    assert "centre unreachable, backlog 57" in line("en", down)
