"""The screen's words in zh-CN and English, and the one table of key bindings.

Kept inside ``console.tui`` (not in ``console.i18n``) because only the screen uses them;
a missing entry falls back to the shared catalogue, then to English, then to the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from console.i18n import t as core_t

_S: Final[dict[str, tuple[str, str]]] = {
    # panels
    "panel.units": ("单元与通话组", "Units & groups"),
    "panel.incidents": ("进行中的事件", "Active incidents"),
    "panel.board": ("应答看板", "Response board"),
    "panel.activity": ("实时通话与消息", "Live radio activity"),
    "panel.log": ("事件日志", "Event log"),
    "col.name": ("名称", "Name"),
    "col.id": ("号码", "ID"),
    "col.state": ("状态", "State"),
    "col.last": ("最近", "Last"),
    "col.incident": ("编号", "ID"),
    "col.priority": ("级别", "Prio"),
    "col.title": ("事由", "Title"),
    # unit conditions
    "unit.emergency": ("紧急", "EMERG"),
    "unit.talking": ("通话", "talking"),
    "unit.unreachable": ("不可达", "unreach"),
    "unit.heard": ("在线", "heard"),
    "unit.unknown": ("未知", "—"),
    "group.idle": ("空闲", "idle"),
    # board
    "board.none": ("暂无呼叫。F2 新建呼叫。", "No page yet. F2 starts one."),
    "board.answered": ("{n}/{total} 已应答", "{n}/{total} answered"),
    "board.late": ("{n} 超时", "{n} late"),
    "board.waiting": ("未应答", "waiting"),
    "board.closed": ("已结束", "closed"),
    # short rung labels for the board's cells (at most 7 cells wide)
    "rung.queued": ("排队", "queued"),
    "rung.accepted": ("网关收", "gw ok"),
    "rung.sent": ("已发出", "sent"),
    "rung.delivered": ("已送达", "deliv."),
    "rung.read": ("已阅读", "read"),
    "rung.acknowledged": ("收到", "ack"),
    "rung.en_route": ("出发", "enroute"),
    "rung.on_scene": ("到场", "onscene"),
    "rung.released": ("完毕", "done"),
    "rung.backup_requested": ("支援", "backup"),
    "rung.failed": ("失败", "failed"),
    "cause.not_reachable": ("不可达", "unreach"),
    "cause.not_registered": ("未入网", "no reg"),
    "cause.refused": ("被拒绝", "refused"),
    "cause.gateway_error": ("网关错", "gw err"),
    "cause.no_answer": ("未应答", "silent"),
    # activity
    "act.talk": ("讲话", "talking"),
    "act.talk_end": ("讲话结束", "released"),
    "act.text": ("短信", "text"),
    "act.status": ("状态", "status"),
    "act.call": ("呼入", "call"),
    "act.emergency_call": ("紧急呼叫", "EMERGENCY CALL"),
    "act.undecodable": ("无法解码", "undecodable"),
    "act.dropped": ("（略去 {n} 条）", "({n} more not shown)"),
    "act.nobody": ("无人讲话", "nobody talking"),
    # status bar
    "link.closed": ("未连接", "closed"),
    "link.connecting": ("连接中", "connecting"),
    "link.up": ("已连接", "connected"),
    "link.reconnecting": ("重连中", "reconnecting"),
    "link.down": ("已断开", "down"),
    "mode.0": ("集群", "TMO"),
    "mode.1": ("直通", "DMO"),
    "status.signal": ("信号", "signal"),
    "status.operator": ("值班员", "operator"),
    "status.alarms": ("告警 {n}", "alarms {n}"),
    # alarms
    "alarm.title": ("告警", "ALARM"),
    "alarm.ack_hint": ("F12/a 确认", "F12/a acknowledge"),
    "alarm.queued": ("另有 {n} 条待确认", "{n} more waiting"),
    "alarm.source.emergency_status": ("紧急状态", "emergency status"),
    "alarm.source.emergency_call": ("紧急呼叫", "emergency call"),
    "alarm.source.text_rule": ("报警短信", "alarm text"),
    "alarm.acknowledged": ("已确认告警 {id}", "alarm {id} acknowledged"),
    "alarm.none": ("没有待确认的告警", "no alarm waiting"),
    "alert.target": ("{alias}: {target} 已超时", "{alias}: {target} target passed"),
    # notices
    "notice.not_yet": ("「{what}」尚未提供", "{what} is not available yet"),
    "notice.repaged": ("已重呼 {n} 个未应答单元", "re-paged {n} silent unit(s)"),
    "notice.no_page": ("没有进行中的呼叫", "no page in progress"),
    "notice.screen_failed": ("无法打开「{what}」：{error}", "cannot open {what}: {error}"),
    "help.title": ("按键说明", "Keys"),
    "help.close": ("按 Esc 或 F1 关闭", "Esc or F1 closes"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """The screen text for ``key`` (``{name}`` filled from ``values``)."""
    pair = _S.get(key)
    if pair is None:
        return core_t(key, lang, **values)
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text


@dataclass(frozen=True)
class Key:
    """One key binding: the key, the App action it runs, and what it does in each language."""

    key: str
    action: str
    zh: str
    en: str
    show: bool = True
    """Shown in the footer (the rest are in F1 help and the command palette)."""
    palette: bool = True
    """Listed in the command palette (Ctrl+P)."""

    def description(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


KEYS: Final[tuple[Key, ...]] = (
    Key("f1", "help", "帮助", "Help"),
    Key("f2", "open_screen('page')", "新建呼叫", "New page"),
    Key("f3", "repage_silent", "重呼未应答", "Re-page silent"),
    Key("f4", "open_screen('incidents')", "事件", "Incidents"),
    Key("f5", "open_screen('rollcall')", "点名", "Roll call"),
    Key("f6", "open_screen('drill')", "演练", "Drill"),
    Key("f7", "open_screen('log')", "日志", "Log"),
    Key("f8", "open_screen('ptt')", "讲话", "PTT"),
    Key("f12", "acknowledge_alarm", "确认告警", "Acknowledge alarm"),
    Key("a", "acknowledge_alarm", "确认告警", "Acknowledge alarm", show=False, palette=False),
    Key("ctrl+t", "toggle_theme", "明暗主题", "Light/dark theme", show=False),
    Key("q", "quit", "退出", "Quit", show=False),
)
"""Every binding of the main screen, in one place (footer, F1 help and palette read it)."""

SCREEN_NAMES: Final[dict[str, tuple[str, str]]] = {
    "page": ("新建呼叫", "New page"),
    "incidents": ("事件", "Incidents"),
    "rollcall": ("点名", "Roll call"),
    "drill": ("演练", "Drill"),
    "log": ("日志", "Log"),
    "ptt": ("讲话", "PTT"),
}


def screen_title(name: str, lang: str) -> str:
    zh, en = SCREEN_NAMES.get(name, (name, name))
    return en if lang == "en" else zh
