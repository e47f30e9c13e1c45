"""The screen's words in zh-CN and English, and the one table of key bindings.

Kept inside ``console.tui`` (not in ``console.i18n``) because only the screen uses them;
they join the one vocabulary (:func:`console.i18n.register`) and are looked up with the
same :func:`~console.i18n.t` (``tr`` here) as every other word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from console.i18n import pick, register, t

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
    "board.waiting_n": (" · {n} 未应答", " · {n} waiting"),
    "board.unreachable_n": (" · {n} 不可达", " · {n} unreachable"),
    "board.late": ("（{n} 个已过时限）", " ({n} past a target)"),
    "board.waiting": ("未应答", "waiting"),
    "board.closed": ("已结束", "closed"),
    "board.recovered": ("断线恢复后补发 {n}", "re-sent after outage {n}"),
    "board.summary": ("{target}超时 {n} 个", "{target} target missed by {n}"),
    "board.caught_up": ("（{n} 个已补上）", " ({n} caught up since)"),
    "board.repage_these": ("F3 重呼这 {n} 个", "F3 re-pages these {n}"),
    "board.repage_silent": ("F3 重呼未应答 {n} 个", "F3 re-pages {n} silent"),
    "board.manual.phone": ("电", "T"),
    "board.manual.in_person": ("面", "P"),
    "manual.title": ("登记应答：{unit}", "Record answer: {unit}"),
    "manual.choice": ("{method}{rung}", "{rung} {method}"),
    "manual.none": ("{unit} 已到场，无需登记", "{unit} is on scene already: nothing to record"),
    "manual.done": (
        "已登记 {unit} {method}{rung}（{operator}）",
        "recorded {unit}: {rung} {method} ({operator})",
    ),
    "manual.already": ("{unit} 已有此应答，未重复登记", "{unit} had that answer already"),
    "manual.failed": ("登记失败：{error}", "could not record it: {error}"),
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
    "logtail.wire_hidden": ("线路记录已隐藏 w显示", "wire rows hidden: w shows"),
    "logtail.wire_shown": ("显示线路记录 w隐藏", "wire rows shown: w hides"),
    "logtail.skipped": ("（略去 {n} 条记录，见 F7 日志）", "({n} more records not shown: F7 log)"),
    "act.nobody": ("无人讲话", "nobody talking"),
    # status bar
    "status.centre.ok": ("中心 已同步", "centre in sync"),
    "status.centre.lag": ("中心 待传 {n} 条 滞后 {lag} 秒", "centre backlog {n}, lag {lag} s"),
    "status.centre.down": ("中心 未连接 待传 {n} 条", "centre unreachable, backlog {n}"),
    "link.service": ("值班服务断开，正在重连", "station service lost, reconnecting"),
    "mode.0": ("集群", "TMO"),
    "mode.1": ("直通", "DMO"),
    "status.signal": ("信号", "signal"),
    "status.operator": ("值班员", "operator"),
    "status.alarms": ("告警 {n}", "alarms {n}"),
    # no station file found: the demo station on the simulator (never the real desk)
    "status.demo": ("演示 DEMO", "DEMO 演示"),
    # alarms (their kinds and sources, and the link's states, are in console.i18n: the
    # log rows name them too)
    "alarm.title": ("告警", "ALARM"),
    "alarm.ack_hint": ("F12 确认", "F12 acknowledge"),
    "alarm.queued": ("另有 {n} 条待确认", "{n} more waiting"),
    "alarm.acknowledged": ("已确认告警 {id}：{what}", "alarm {id} acknowledged: {what}"),
    "alarm.waiting": ("已等待 {s} 秒未确认", "waiting {s} s"),
    "alarm.confirm.title": ("确认告警 {id}", "Acknowledge alarm {id}"),
    "alarm.confirm.body": (
        "确认已收到并接手处置这条告警？",
        "Take this alarm (acknowledged in your name)?",
    ),
    "alarm.none": ("没有待确认的告警", "no alarm waiting"),
    "alert.target": (
        "{page} {target}超时 {n} 个（见应答看板，F3 重呼）",
        "{page}: {target} target missed by {n} (see the board; F3 re-pages)",
    ),
    "repage.title": ("重呼 {n} 个单元", "Re-page {n} unit(s)"),
    "repage.body": (
        "将向呼叫 {page} 中 {n} 个未应答单元再次发出：",
        "Page again, on {page}, these {n} silent unit(s):",
    ),
    "repage.skipped": (
        "另有 {n} 个刚刚已重呼（自动或人工），这次不重呼",
        "{n} more were paged again moments ago and are left out",
    ),
    "notice.repage_none": ("没有未应答的单元，无需重呼", "nobody silent: nothing to re-page"),
    "notice.repage_none_recent": (
        "未应答的 {n} 个单元刚刚已重呼，稍后再试",
        "the {n} silent unit(s) were just paged again; try again shortly",
    ),
    # notices
    "notice.not_yet": ("「{what}」尚未提供", "{what} is not available yet"),
    "notice.repaged": ("已重呼 {n} 个未应答单元", "re-paged {n} silent unit(s)"),
    "notice.no_page": ("没有进行中的呼叫", "no page in progress"),
    "notice.screen_failed": ("无法打开「{what}」：{error}", "cannot open {what}: {error}"),
    "quit.title": ("仍有工作在进行，确定退出？", "Still running: quit anyway?"),
    "quit.pages": (
        "{n} 个呼叫仍有单元未应答（{ids}）",
        "{n} page(s) still waiting for answers ({ids})",
    ),
    "quit.rollcall": ("点名进行中", "a roll call is running"),
    "quit.drill": ("演练进行中", "a drill is running"),
    "quit.local": (
        "本控制台自带值班服务：退出后不再跟进、不再升级处置。",
        "This console runs the station itself: quitting stops following and escalating.",
    ),
    "quit.service": (
        "值班服务会继续跟进；重新打开控制台即可看到。",
        "The station service goes on with them; open the console again to see them.",
    ),
    "quit.keys": ("Enter 退出    Esc 留下", "Enter quits    Esc stays"),
    "help.title": ("按键说明", "Keys"),
    "help.close": ("按 Esc 或 F1 关闭", "Esc or F1 closes"),
}


# --- roll call (F5) and drill (F6) screens ---------------------------------------------------
_RUNS: Final[dict[str, tuple[str, str]]] = {
    "rc.group": ("点名对象", "Group"),
    "rc.mode": ("方式", "Mode"),
    "rc.deadline": ("时限(秒)", "Deadline (s)"),
    "rc.mode.status": ("状态回复", "status reply"),
    "rc.mode.voice": ("语音点名", "voice"),
    "rc.mode.sequential": ("逐个点名", "one by one"),
    "rc.idle": ("选择点名对象和方式，F9 开始点名。", "Pick a group and mode; F9 starts."),
    "rc.running": ("点名中", "running"),
    "rc.closed": ("已结束", "closed"),
    "rc.reopened": ("历史记录", "from the log"),
    "rc.line": ("{id}  {state}  {n} 人：{counts}", "{id}  {state}  {n} members: {counts}"),
    "rc.elapsed": ("已用 {elapsed} / 时限 {deadline}", "elapsed {elapsed} / deadline {deadline}"),
    "rc.recall_of": ("（补点 {id}）", "(re-call of {id})"),
    "rc.col.issi": ("号码", "ISSI"),
    "rc.col.unit": ("单元", "Unit"),
    "rc.col.result": ("结果", "Result"),
    "rc.col.latency": ("用时", "Time"),
    "rc.col.note": ("说明", "Note"),
    "rc.confirm.title": ("确认点名", "Start the roll call?"),
    "rc.confirm.body": (
        "将向 {n} 个单元发出点名（{group}，{mode}，时限 {deadline} 秒）。",
        "This calls {n} units over the air ({group}, {mode}, deadline {deadline} s).",
    ),
    "rc.bad_deadline": ("时限须为正数（秒）", "the deadline must be a positive number of seconds"),
    "rc.started": ("点名 {id} 已开始", "roll call {id} started"),
    "rc.stopped": ("点名 {id} 已停止", "roll call {id} stopped"),
    "rc.none": ("还没有点名", "no roll call yet"),
    "rc.nobody_absent": ("无人缺席，无需补点", "nobody absent: nothing to re-call"),
    "rc.recalled": ("补点 {n} 个未到单元：{id}", "re-calling {n} absent unit(s): {id}"),
    "rc.history": ("点名记录", "Roll calls"),
    "rc.history.keys": (
        "Enter 打开  c 与当前比较  Esc 关闭",
        "Enter open  c compare with shown  Esc close",
    ),
    "rc.history.empty": ("日志中没有点名记录", "no roll call in the log"),
    "rc.compare.title": ("比较 {a} → {b}", "Compare {a} → {b}"),
    "rc.compare.none": ("两次点名结果相同", "no member changed"),
    "rc.col.started": ("开始", "Started"),
    "rc.col.members": ("人数", "Members"),
    "rc.col.counts": ("结果", "Counts"),
    "rc.source.status": ("状态回复", "status"),
    "rc.source.text": ("短信回复", "text reply"),
    "rc.source.voice": ("语音应答", "keyed up"),
    "rc.source.operator": ("人工登记", "by officer"),
    "run.running_already": ("{what} 仍在进行", "{what} is still running"),
    "run.report": ("报告", "Report"),
    "run.report.close": ("Esc 关闭", "Esc closes"),
    "run.export.title": ("导出报告", "Export the report"),
    "run.export.label": (
        "保存到（.md / .csv / .json / .html）",
        "Save to (.md / .csv / .json / .html)",
    ),
    "run.export.bad_ext": (
        "未知格式：请用 .md、.csv、.json 或 .html 结尾",
        "unknown format: end the name with .md, .csv, .json or .html",
    ),
    "run.exported": ("报告已导出：{path}", "report saved: {path}"),
    "run.export_failed": ("导出失败：{error}", "export failed: {error}"),
    "run.confirm_keys": ("Enter 确认    Esc 取消", "Enter confirm    Esc cancel"),
    "run.prompt_keys": ("Enter 确定    Esc 取消", "Enter accept    Esc cancel"),
    "run.failed": ("无法开始：{error}", "cannot start: {error}"),
    "command.failed": ("未完成：{error}", "not done: {error}"),
    "command.unconfirmed": (
        "服务未应答，请核实是否已执行：{error}",
        "the service did not answer; check whether it was done: {error}",
    ),
    "dr.file": ("演练文件", "Drill file"),
    "dr.path": ("或输入路径", "or a path"),
    "dr.pick": (
        "选择演练文件或输入路径（Enter 检查），F9 开始。",
        "Pick a file or type a path (Enter checks); F9 starts.",
    ),
    "dr.valid": ("文件有效", "valid"),
    "dr.invalid": ("文件有 {n} 处错误：", "{n} problem(s) in the file:"),
    "dr.summary": (
        "{name}：{n} 个单元，目标 {targets}，通过标准 {criteria} 条{scripted}",
        "{name}: {n} units, targets {targets}, criteria: {criteria}{scripted}",
    ),
    "dr.scripted": ("，模拟脚本", ", scripted simulation"),
    "dr.confirm.title": ("确认开始演练", "Start the drill?"),
    "dr.confirm.body": (
        "演练「{name}」将向 {n} 个单元发出呼叫。",
        "Drill {name} pages {n} units over the air.",
    ),
    "dr.started": ("演练 {id} 已开始", "drill {id} started"),
    "dr.stopped": ("演练 {id} 已中止", "drill {id} interrupted"),
    "dr.none": ("还没有演练", "no drill yet"),
    "dr.no_file": ("请选择演练文件", "pick a drill file first"),
    "dr.progress": ("进度", "Progress"),
    "dr.elapsed": ("已用 {elapsed} / {horizon}", "elapsed {elapsed} / {horizon}"),
    "dr.escalations": ("升级处置 {n} 次", "escalations {n}"),
    "dr.unreachable": ("不可达 {n}", "unreachable {n}"),
    "dr.target": ("目标 {s} 秒", "target {s} s"),
    "dr.check": ("检查", "Check"),
    "dr.choose": ("选择文件", "choose a file"),
    "dr.reasons": ("原因", "Why"),
    "dr.criterion": (
        "{mark} {within} 秒内「{rung}」：{achieved}/{total}（需 {needed}）",
        "{mark} {rung} within {within} s: {achieved}/{total} (needs {needed})",
    ),
    "dr.crit": ("{within} 秒内「{rung}」至少 {at_least}", "{at_least} {rung} within {within} s"),
    "dr.all": ("全部", "all"),
    "dr.rung.delivered": ("送达", "delivered"),
    "dr.rung.acknowledged": ("收到", "acknowledged"),
    "dr.rung.en_route": ("出发", "en route"),
    "dr.rung.on_scene": ("到场", "on scene"),
    "dr.verdict.passed": ("通过", "PASSED"),
    "dr.verdict.failed": ("未通过", "FAILED"),
    "dr.verdict.interrupted": ("已中止", "INTERRUPTED"),
    "dr.running": ("演练进行中", "drill running"),
    "dr.history": ("演练记录", "Drills"),
    "dr.history.keys": ("Enter 查看报告  Esc 关闭", "Enter report  Esc close"),
    "dr.history.empty": ("日志中没有演练记录", "no drill in the log"),
    "dr.col.drill": ("演练", "Drill"),
    "dr.col.result": ("结果", "Result"),
    "dr.col.criteria": ("标准", "Criteria"),
    "dr.col.rate": ("达标率", "On target"),
    "dr.col.name": ("名称", "Name"),
}
_S.update(_RUNS)


tr = t
"""The screen's name for :func:`console.i18n.t`: the one lookup of the one vocabulary
(the tables above join it through :func:`console.i18n.register`)."""


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
    priority: bool = False
    """Works on every screen and dialog, before the focused widget sees the key."""

    def description(self, lang: str) -> str:
        return pick((self.zh, self.en), lang)


KEYS: Final[tuple[Key, ...]] = (
    Key("f12", "acknowledge_alarm", "确认告警", "Acknowledge alarm", priority=True),
    Key("f1", "help", "帮助", "Help"),
    Key("f2", "open_screen('page')", "新建呼叫", "New page"),
    Key("f3", "repage_silent", "重呼未应答", "Re-page silent"),
    Key("f4", "open_screen('incidents')", "事件", "Incidents"),
    Key("f5", "open_screen('rollcall')", "点名", "Roll call"),
    Key("f6", "open_screen('drill')", "演练", "Drill"),
    Key("f7", "open_screen('log')", "日志", "Log"),
    Key("f8", "open_screen('ptt')", "讲话", "PTT"),
    Key("a", "acknowledge_alarm", "确认告警", "Acknowledge alarm", show=False, palette=False),
    Key("w", "toggle_wire", "显示/隐藏线路记录", "Show/hide wire rows", show=False),
    Key("ctrl+t", "toggle_theme", "明暗主题", "Light/dark theme", show=False),
    Key("q", "quit", "退出", "Quit", show=False),
)
"""Every binding of the main screen, in one place (footer, F1 help and palette read it).
F12 comes first so that a narrow footer (80 columns) never cuts it off."""

BOARD_KEYS: Final[tuple[Key, ...]] = (
    Key("enter", "mark_answered", "登记应答(电话/当面)", "Record answer (phone/in person)"),
    Key("left", "move('left')", "左", "Left", show=False),
    Key("right", "move('right')", "右", "Right", show=False),
    Key("up", "move('up')", "上", "Up", show=False),
    Key("down", "move('down')", "下", "Down", show=False),
)
"""The response board's keys while it has the focus (Tab to it)."""

SCREEN_NAMES: Final[dict[str, tuple[str, str]]] = {
    "screen.page": ("新建呼叫", "New page"),
    "screen.incidents": ("事件", "Incidents"),
    "screen.rollcall": ("点名", "Roll call"),
    "screen.drill": ("演练", "Drill"),
    "screen.log": ("日志", "Log"),
    "screen.ptt": ("讲话", "PTT"),
}
_S.update(SCREEN_NAMES)


def screen_title(name: str, lang: str) -> str:
    key = f"screen.{name}"
    return t(key, lang) if key in SCREEN_NAMES else name


# --- page / incidents / log / help / PTT screens (console issue part 2) -----------------
# Kept in their own block (merged into _S) so edits for other screens never collide.
_S.update(
    {
        # shared dialogs
        "dlg.confirm_keys": ("Enter 确认发送    Esc 取消", "Enter sends    Esc cancels"),
        "dlg.prompt_keys": ("Enter 确定  Esc 取消", "Enter OK  Esc cancel"),
        "dlg.choice_keys": ("↑↓ 选择  Enter 确定  Esc 取消", "↑↓ choose  Enter OK  Esc cancel"),
        "dlg.required": ("此项不能为空", "this cannot be empty"),
        "help.here": ("本屏按键", "Keys on this screen"),
        # page screen
        "page.title": ("新建呼叫", "New page"),
        "page.for_incident": ("事件", "for incident"),
        "page.keys": (
            "输入筛选 · 空格选中 · Tab 切换 · Ctrl+S 发送",
            "type to filter · Space selects · Tab moves · Ctrl+S sends",
        ),
        "page.filter": ("筛选：名称、号码、类型…", "Filter: name, number, kind…"),
        "page.kind": ("类型：{kind}（Ctrl+O 切换）", "Kind: {kind} (Ctrl+O next)"),
        "page.kind.all": ("全部", "all"),
        "page.recipients": ("单元与通话组", "Units & groups"),
        "page.shown": ("显示 {n}/{total}", "{n}/{total} shown"),
        "page.list": ("名单", "list"),
        "page.members": ("{n}个", "{n} units"),
        "page.templates": ("预设消息（Enter 选用）", "Prepared messages (Enter)"),
        "page.text": ("消息内容", "Message text"),
        "page.mode.text": ("短信", "Text"),
        "page.mode.voice": ("语音组呼", "Voice call"),
        "page.mode.speakers": ("广播", "Loudspeakers"),
        "page.mode.fast": ("快速告警（组短信）", "Fast alert (group SDS)"),
        "page.speakers.no_engine": (
            "广播不可用：未接入广播引擎",
            "loudspeakers unavailable: no broadcast engine is running",
        ),
        "page.speakers.no_zones": (
            "广播不可用：本所未配置广播分区",
            "loudspeakers unavailable: the station file has no zones",
        ),
        "page.zones": ("广播分区", "Zones"),
        "page.deadlines": ("时限(秒)", "Deadlines (s)"),
        "page.deadline.ack": ("收到", "ack"),
        "page.deadline.en_route": ("出发", "en route"),
        "page.deadline.on_scene": ("到场", "on scene"),
        "page.summary": (
            "将呼叫 {units} 个单元，语音组 {groups} 个（已选 {picked} 项）",
            "Pages {units} unit(s), {groups} voice group(s) ({picked} picked)",
        ),
        "page.summary.zones": ("广播分区 {n} 个", "{n} zone(s)"),
        "page.err.no_targets": ("请先选择单元或通话组", "select units or groups first"),
        "page.err.no_text": ("请输入或选择消息内容", "type or pick a message"),
        "page.err.no_mode": ("请选择短信、语音或广播", "choose text, voice or loudspeakers"),
        "page.err.no_zones": ("请选择广播分区", "choose the loudspeaker zones"),
        "page.err.deadline": ("时限须为正整数秒：{value}", "targets are whole seconds: {value}"),
        "page.confirm.title": ("确认发送", "Confirm"),
        "page.confirm.units": ("向 {n} 个单元发送", "Send to {n} unit(s)"),
        "page.confirm.voice": ("语音组呼 {n} 个通话组：", "Voice call on {n} talkgroup(s):"),
        "page.confirm.zones": ("广播到 {n} 个分区：", "Loudspeakers in {n} zone(s):"),
        "page.cancelled": ("已取消，未发送", "cancelled, nothing sent"),
        "page.sent": ("已发出呼叫 {id}（{n} 个单元）", "page {id} sent to {n} unit(s)"),
        "page.queued": (
            "呼叫 {id} 排队（网关未连接，{n} 个单元），连接后立即发出",
            "page {id} queued ({n} unit(s)): the gateway is not connected; it goes out when it is",
        ),
        "page.broadcast_started": ("广播 {id} 已开始", "broadcast {id} started"),
        "page.broadcast_failed": ("广播失败：{error}", "broadcast failed: {error}"),
        # incidents screen
        "inc.title": ("事件", "Incidents"),
        "inc.active": ("进行中", "active"),
        "inc.all": ("全部", "all"),
        "inc.count": ("{n} 件", "{n}"),
        "inc.detail": ("详情", "Detail"),
        "inc.timeline": ("时间线", "Timeline"),
        "inc.timeline.empty": ("（日志中暂无记录）", "(nothing in the log yet)"),
        "inc.none": ("没有事件。按 n 新建。", "No incident. n raises one."),
        "inc.state": ("状态", "State"),
        "inc.priority": ("级别", "Priority"),
        "inc.kind": ("类别", "Kind"),
        "inc.opened": ("上报", "Raised"),
        "inc.from_radio": ("（电台 {ssi} 报警）", " (alarm from radio {ssi})"),
        "inc.next": ("可转为", "Can go to"),
        "inc.next.none": ("（已结束，可重开）", "(finished; reopen if needed)"),
        "inc.kind.traffic": ("交通事故", "traffic"),
        "inc.kind.fire": ("火情", "fire"),
        "inc.kind.security": ("治安", "security"),
        "inc.kind.drowning": ("防溺水", "drowning"),
        "inc.kind.safety": ("安全生产", "work safety"),
        "inc.kind.medical": ("急救", "medical"),
        "inc.kind.other": ("其他", "other"),
        "inc.kind.adhoc": ("临时呼叫", "ad-hoc page"),
        "inc.kind.alarm": ("告警", "alarm"),
        "inc.new.title": ("新建事件", "New incident"),
        "inc.new.keys": (
            "Tab 切换 · ←→ 选择 · Enter/Ctrl+S 上报 · Esc 取消",
            "Tab moves · ←→ choose · Enter/Ctrl+S raise · Esc cancel",
        ),
        "inc.new.what": ("事由", "Title"),
        "inc.new.kind": ("类别", "Kind"),
        "inc.new.priority": ("级别", "Priority"),
        "inc.raised": ("已上报事件 {id}", "incident {id} raised"),
        "inc.changed": ("事件 {id} 状态已更新", "incident {id} updated"),
        "inc.noted": ("已为事件 {id} 添加备注", "note added to {id}"),
        "inc.reopened": ("事件 {id} 已重开", "incident {id} reopened"),
        "inc.no_moves": ("「{state}」状态无可转换，可按 r 重开", "no move from {state}; r reopens"),
        "inc.cannot_close": ("「{state}」状态不能办结", "cannot close from {state}"),
        "inc.not_closed": ("事件未办结，无需重开", "the incident is not closed"),
        "inc.state.title": ("事件 {id}：转为", "Incident {id}: move to"),
        "inc.state.to": ("转为「{state}」", "Move to {state}"),
        "inc.state.note": ("说明（可空）", "Note (optional)"),
        "inc.note.title": ("事件 {id}：备注", "Incident {id}: note"),
        "inc.note.label": ("备注内容", "Note"),
        "inc.reopen.title": ("重开事件 {id}", "Reopen incident {id}"),
        "inc.reopen.label": ("重开原因（必填）", "Reason (required)"),
        # timeline lines
        "tl.opened": ("上报", "raised"),
        "tl.opened_radio": ("上报（电台 {ssi} 报警）", "raised (alarm from radio {ssi})"),
        "tl.state": ("状态→{state}", "state→{state}"),
        "tl.reopened": ("重开→{state}", "reopened→{state}"),
        "tl.note": ("备注", "note"),
        "tl.page_attached": ("派发呼叫", "page attached"),
        "tl.broadcast_attached": ("广播", "broadcast"),
        "tl.answer": ("应答", "answer"),
        "tl.page": ("发出呼叫({n}个单元)", "page sent ({n} units)"),
        "tl.rung": ("回执:{rung}", "ladder: {rung}"),
        # log screen
        "log.title": (
            "事件日志 — Enter 应用筛选 · Ctrl+N 下一页 · Ctrl+S 导出",
            "Event log — Enter applies filters · Ctrl+N more · Ctrl+S export",
        ),
        "log.f.family": ("全部类别", "All kinds"),
        "log.f.unit": ("单元（号码或名称）", "Unit (number or name)"),
        "log.f.incident": ("事件编号", "Incident id"),
        "log.f.since": ("起（08:30 或 2026-01-01 08:30）", "From (08:30 or 2026-01-01 08:30)"),
        "log.f.until": ("止", "Until"),
        "log.f.text": ("搜索文字", "Search text"),
        "log.col.time": ("时间", "Time"),
        "log.col.kind": ("类别", "Kind"),
        "log.col.unit": ("单元", "Unit"),
        "log.col.detail": ("内容", "Detail"),
        "log.count": ("已显示 {n} 条", "{n} shown"),
        "log.more": ("（Ctrl+N 显示更多）", " (Ctrl+N for more)"),
        "log.err.unit": ("「{value}」不是单元", "{value!r} is not a unit"),
        "log.export.title": ("导出日志", "Export the log"),
        "log.export.label": (
            "文件路径（.csv 或 .jsonl），导出当前筛选结果",
            "File path (.csv or .jsonl); exports what the filters select",
        ),
        "log.exporting": ("正在导出到 {path} …", "exporting to {path} …"),
        "log.exported": ("已导出 {n} 条到", "exported {n} to"),
        "log.exported.notice": ("已导出 {n} 条记录到 {path}", "{n} records written to {path}"),
        "log.export.failed": ("导出到 {path} 失败：{error}", "export to {path} failed: {error}"),
        # PTT screen
        "ptt.title": ("讲话（PTT）", "Push to talk"),
        "ptt.groups": ("通话组（↑↓ 选择）", "Talkgroups (↑↓)"),
        "ptt.floor": ("话权", "Floor"),
        "ptt.group": ("通话组", "Talkgroup"),
        "ptt.state": ("话权", "Floor"),
        "ptt.keyed": ("本台", "Console"),
        "ptt.keyed.yes": ("已按下讲话", "keyed"),
        "ptt.keyed.no": ("未按讲话", "not keyed"),
        "ptt.mode.toggle": ("方式：按一下讲、再按停", "Mode: toggle"),
        "ptt.mode.hold": ("方式：按住讲话", "Mode: hold"),
        "ptt.hint.toggle": ("空格/F8 开始或结束讲话 · t 切换方式", "Space/F8 starts/ends · t mode"),
        "ptt.hint.hold": (
            "按住空格/F8 讲话，松开约 0.7 秒后自动结束（最长 60 秒） · t 切换方式",
            "hold Space/F8; released ~0.7 s after the key stops repeating (max 60 s) · t mode",
        ),
        "ptt.floor.idle": ("空闲", "idle"),
        "ptt.floor.requested": ("申请话权中", "requesting"),
        "ptt.floor.ours": ("本台讲话中", "ours — you are talking"),
        "ptt.floor.ours_mute": (
            "本台占用话权，但无麦克风：对方听不到",
            "floor ours, but no microphone: nobody hears you",
        ),
        "ptt.no_mic": (
            "无麦克风或声卡：可以按键占用话权，但声音发不出去",
            "No microphone or sound card: keying works, but your voice does not go out",
        ),
        "ptt.no_receive": (
            "无收音声卡：听不到他台讲话，也不录音",
            "No radio audio input: other radios are not heard or recorded",
        ),
        "ptt.audio_why": ("原因：{why}", "why: {why}"),
        "ptt.floor.other": ("他台讲话中", "another radio talking"),
        "ptt.floor.other_who": ("他台讲话中：{who}", "another radio talking: {who}"),
        "ptt.floor.queued": ("排队等待话权", "queued"),
        "ptt.floor.refused": ("话权被拒绝", "refused"),
        "ptt.no_group": ("请先选择通话组", "select a talkgroup first"),
        "ptt.failed": ("讲话失败：{error}", "PTT failed: {error}"),
    }
)


# --- the city centre (``dutydesk centre``, issue 11) -------------------------------------
# Kept in their own block (merged into _S) so edits for other screens never collide.
_S.update(
    {
        "centre.title": ("指挥中心 · 全市派出所", "Command centre · every station"),
        "centre.stations": ("{n} 个派出所", "{n} stations"),
        "centre.updated": ("更新于 {time}", "updated {time}"),
        "centre.live": ("实时", "live"),
        "centre.live.lost": ("实时连接中断：{error}", "live feed lost: {error}"),
        "centre.error": ("读取中心数据库失败：{error}", "centre database: {error}"),
        "centre.read_only": ("只读", "read-only"),
        "centre.col.station": ("派出所", "Station"),
        "centre.col.incidents": ("进行中事件", "Open incidents"),
        "centre.col.pages": ("在途呼叫", "Pages in flight"),
        "centre.col.ladder": ("应答阶梯", "Ladders"),
        "centre.col.alarms": ("未确认告警", "Unacked alarms"),
        "centre.col.last": ("最近事件", "Last event"),
        "centre.col.lag": ("延迟", "Lag"),
        "centre.col.backlog": ("积压", "Backlog"),
        "centre.col.time": ("时间", "Time"),
        "centre.col.what": ("事件", "Event"),
        "centre.col.unit": ("单元", "Unit"),
        "centre.col.ref": ("编号", "Ref"),
        "centre.col.detail": ("详情", "Detail"),
        "centre.never": ("无", "none"),
        "centre.timeline": ("全市时间线", "City timeline"),
        "centre.filter.station": ("派出所（逗号分隔）", "Stations (comma-separated)"),
        "centre.filter.kind": ("单元类型（如 school）", "Unit kind (e.g. school)"),
        "centre.filter.window": ("最近多少分钟", "Last N minutes"),
        "centre.keys": (
            "Tab 切换 · 输入筛选后 Enter · r 刷新 · q 退出",
            "Tab moves · type a filter and Enter · r refresh · q quit",
        ),
        "centre.keys.dispatch": (
            "Tab 切换 · 输入筛选后 Enter · d 经派出所接口派遣 · r 刷新 · q 退出",
            "Tab moves · type a filter and Enter · d dispatch via the station · r refresh · q quit",
        ),
        "centre.dispatch.enabled": (
            "可经 {n} 个派出所的接口派遣",
            "dispatch via {n} stations' APIs",
        ),
        "centre.dispatch.title": ("经 {station} 的接口派遣", "Dispatch via {station}"),
        "centre.dispatch.names": (
            "单元或通话组（逗号分隔，该派出所的名称或号码）",
            "Units or groups (comma-separated, that station's names or numbers)",
        ),
        "centre.dispatch.text": ("呼叫内容", "Page text"),
        "centre.dispatch.none": (
            "{station} 未配置派遣接口（--dispatch 文件），中心只读",
            "{station} has no dispatch API (--dispatch file); the centre is read-only for it",
        ),
        "centre.dispatch.sending": ("正在经 {station} 的接口发出呼叫…", "sending via {station}…"),
        "centre.dispatch.sent": (
            "已经 {station} 的接口发出呼叫 {page}（由该派出所记录并执行）",
            "page {page} sent via {station} (logged and carried out by the station)",
        ),
        "centre.dispatch.failed": ("派遣未成功：{error}", "dispatch failed: {error}"),
    }
)

register(_S)
