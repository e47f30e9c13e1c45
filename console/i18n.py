"""The console's one vocabulary: every word the officer reads, in zh-CN and English.

One declaration format -- a table of ``key: (zh-CN, English)`` -- and one lookup,
:func:`t`.  A table may live beside the code that owns it (the screen's words in
``console.tui.strings``, the errors' in ``console.errors``, an enum's labels beside the
enum); it joins the vocabulary with :func:`register`, so a key is defined once and said
the same way everywhere.  Plain tables (no gettext) because the console ships a few
hundred strings and the officer switches language with one flag; a missing key says
the key itself, so a gap never crashes the screen.

What is worded long before it is shown -- a report's reasons, statuses and notes, built
from the log and rendered later in the station's language; an error raised deep down and
printed by the command line or a screen -- is a :class:`Phrase`: its English text (so
JSON, CSV, ``str(error)`` and code that compares strings see what they always saw), plus
the key and values to :meth:`~Phrase.say` it in another language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

DEFAULT_LANG: Final = "zh-CN"
LANGS: Final = ("zh-CN", "en")

Words = Mapping[str, tuple[str, str]]
"""A vocabulary table: ``key: (zh-CN text, English text)``, ``{name}`` placeholders
filled by :func:`t`."""

_CATALOGUE: Final[dict[str, tuple[str, str]]] = {}


def register(table: Words) -> Words:
    """Add ``table`` to the vocabulary (returned, so a module can keep its own name for
    it).  A key defined twice with other words is a mistake caught at import."""
    for key, pair in table.items():
        if len(pair) != 2 or not all(isinstance(text, str) for text in pair):
            raise ValueError(f"vocabulary key {key!r}: expected (zh-CN, English), got {pair!r}")
        known = _CATALOGUE.get(key)
        if known is not None and known != pair:
            raise ValueError(f"vocabulary key {key!r} defined twice: {known!r} and {pair!r}")
        _CATALOGUE[key] = pair
    return table


_GENERAL: Final[dict[str, tuple[str, str]]] = {
    "app.title": ("值班台", "DutyDesk"),
    "col.alias": ("单元", "Unit"),
    "col.issi": ("ISSI", "ISSI"),
    "col.kind": ("类型", "Kind"),
    "col.groups": ("通话组", "Groups"),
    "status.gateway": ("网关", "Gateway"),
    "status.starting_sim": ("正在启动模拟网关…", "starting simulator…"),
    "status.sim_failed": ("模拟网关不可用", "simulator unavailable"),
    "status.units": ("单元", "units"),
    "key.quit": ("退出", "Quit"),
    "kind.school": ("学校", "school"),
    "kind.enterprise": ("企业", "enterprise"),
    "kind.hospital": ("医院", "hospital"),
    "kind.bank": ("银行", "bank"),
    "kind.community": ("社区", "community"),
    "kind.patrol": ("巡逻", "patrol"),
    "kind.fire": ("消防", "fire"),
    "kind.government": ("机关", "government"),
    "kind.transport": ("交通", "transport"),
    "kind.market": ("市场", "market"),
    "kind.other": ("其他", "other"),
    "check.ok": ("配置文件正确", "station file OK"),
    "check.station": ("派出所", "station"),
    "check.gateway": ("网关", "gateway"),
    "check.units": ("单元", "units"),
    "check.emergency_units": ("最小应急单元", "minimum emergency units"),
    "check.patrols": ("巡逻队", "patrols"),
    "check.groups": ("通话组/名单", "talkgroups/lists"),
    "check.zones": ("广播分区", "loudspeaker zones"),
    "check.templates": ("消息模板", "message templates"),
    "check.targets": ("时限", "targets"),
    "check.problems": ("配置文件有 {n} 处错误", "{n} problem(s) in the station file"),
    "drill.check.ok": (
        "演练文件正确：{file}：{name}，{units} 个单元，{groups} 个通话组，{criteria} 条标准",
        "drill file OK: {file}: {name}, {units} units, {groups} talkgroups, {criteria} criteria",
    ),
    "cli.eventlog_missing": (
        "日志导出功能尚未安装（console.eventlog 不可用）",
        "log export is not available yet (console.eventlog is not installed)",
    ),
}
register(_GENERAL)


_REPORTS: Final[dict[str, tuple[str, str]]] = {
    # report headings, labels and verdicts (console.reports), as (zh-CN, en)
    "report.kind.drill": ("演练", "drill"),
    "report.kind.rollcall": ("点名", "rollcall"),
    "report.head": ("{kind} {id}：{verdict}", "{kind} {id}: {verdict}"),
    "report.station": ("单位：{name}", "station: {name}"),
    "report.verdict.passed": ("通过", "PASSED"),
    "report.verdict.failed": ("未通过", "FAILED"),
    "report.outcome.interrupted": ("已中止", "interrupted"),
    "report.outcome.complete": ("已完成", "complete"),
    "report.outcome.incomplete": ("未完成", "incomplete"),
    "report.outcome.stopped": ("已停止", "stopped"),
    "report.started": ("开始 {start}，结束 {end}", "started {start}, ended {end}"),
    "report.file": ("演练文件：{file}", "file: {file}"),
    "report.h.criteria": ("通过标准", "Criteria"),
    "report.h.times": ("响应时间", "Response times"),
    "report.h.times_s": ("响应时间（秒）", "Response times (s)"),
    "report.h.histogram": (
        "分布：{rung}（时限 {target:g} 秒）",
        "Histogram — {rung} (target {target:g} s)",
    ),
    "report.h.histogram_md": (
        "分布：{rung}（时限 {target:g} 秒）：",
        "Histogram — {rung} (target {target:g} s):",
    ),
    "report.h.units": ("单元", "Units"),
    "report.h.missed": ("未达标明细", "Missed"),
    "report.h.escalations": ("升级处置", "Escalations"),
    "report.none": ("无。", "None."),
    "report.col.criterion": ("标准", "criterion"),
    "report.col.achieved": ("达成", "achieved"),
    "report.col.needed": ("需要", "needed"),
    "report.col.result": ("结果", "result"),
    "report.col.rung": ("环节", "rung"),
    "report.col.target": ("时限", "target"),
    "report.col.in_time": ("按时", "in time"),
    "report.col.late": ("超时", "late"),
    "report.col.never": ("未达", "never"),
    "report.col.max": ("最长", "max"),
    "report.col.issi": ("号码", "ISSI"),
    "report.col.unit": ("单元", "unit"),
    "report.col.role": ("角色", "role"),
    "report.col.status": ("状态", "status"),
    "report.col.reached": ("实际", "reached"),
    "report.col.reason": ("原因", "reason"),
    "report.col.at": ("时刻（秒）", "at (s)"),
    "report.col.at_short": ("时刻", "at"),
    "report.col.step": ("措施", "step"),
    "report.col.detail": ("说明", "detail"),
    "report.seconds": ("{s:g} 秒", "{s:g} s"),
    "report.pass": ("达标", "pass"),
    "report.fail": ("未达标", "FAIL"),
    "report.role.participant": ("参演", "participant"),
    "report.role.backup": ("备援", "backup"),
    "report.role.backup_for": ("{issi} 的备援", "backup for {issi}"),
    "report.rung.queued": ("排队", "queued"),
    "report.rung.accepted": ("网关已收", "accepted"),
    "report.rung.sent": ("已发出", "sent"),
    "report.rung.delivered": ("送达", "delivered"),
    "report.rung.read": ("已阅读", "read"),
    "report.rung.acknowledged": ("收到", "acknowledged"),
    "report.rung.en_route": ("出发", "en_route"),
    "report.rung.on_scene": ("到场", "on_scene"),
    "report.rung.released": ("完毕", "released"),
    "report.rung.nothing": ("无回执", "nothing"),
    "report.target.acknowledge": ("应答", "acknowledge"),
    "report.target.en_route": ("出发", "en_route"),
    "report.target.on_scene": ("到场", "on_scene"),
    "report.step.repage": ("重呼", "repage"),
    "report.step.alert": ("提醒值班员", "alert"),
    "report.step.backup": ("呼叫备援", "backup"),
    "report.cause.not_reachable": ("不在服务区", "not_reachable"),
    "report.cause.not_registered": ("未入网", "not_registered"),
    "report.cause.refused": ("被拒绝", "refused"),
    "report.cause.gateway_error": ("网关错误", "gateway_error"),
    "report.cause.no_answer": ("未应答", "no_answer"),
    "report.status.not_paged": ("未呼叫", "not paged"),
    "report.status.unreachable": ("不可达（{cause}）", "unreachable ({cause})"),
    "report.miss.late": ("超时 {s:.1f} 秒", "late by {s:.1f} s"),
    "report.miss.no_answer": ("未应答", "no answer"),
    "report.miss.not_reached": ("未到达", "not reached"),
    "report.at_least.all": ("全部", "all"),
    "report.criterion": (
        "{within:g} 秒内「{rung}」达到 {at_least}",
        "{at_least} {rung} within {within:g} s",
    ),
    "report.reason.criterion": (
        "{text}：{achieved}/{total}（需 {needed}）",
        "{text}: {achieved} of {total} (needed {needed})",
    ),
    "report.reason.interrupted": (
        "进行 {s:.1f} 秒后中止，按日志已有记录评定",
        "interrupted after {s:.1f} s; verdict on what the log holds",
    ),
    "report.note.step": ("{step}：{outcome}", "{step}: {outcome}"),
    "report.note.step_detail": ("{step}：{outcome}（{detail}）", "{step}: {outcome} ({detail})"),
    "report.drill_step.page": ("呼叫", "page"),
    "report.drill_step.announcement": ("广播", "announcement"),
    "report.drill_outcome.sent": ("已发出", "sent"),
    "report.drill_outcome.failed": ("失败", "failed"),
    "report.drill_outcome.not available": ("不可用", "not available"),
    "report.drill_outcome.finished": ("已播完", "finished"),
    "report.drill_detail.no loudspeaker engine": ("未接入广播引擎", "no loudspeaker engine"),
    "report.esc.attempt": ("第 {n} 次呼叫", "attempt {n}"),
    "report.esc.not_repaged": ("未重呼：上一次仍在进行", "not re-paged"),
    "report.esc.alert": ("{target}超时，已提醒值班员", "{target} target passed"),
    "report.esc.backup": ("呼叫备援单元 {alias}", "paging backup {alias}"),
    "report.esc.backup_on_page": ("备援单元已在本次呼叫中", "backup already on this page"),
    "report.bin.range": ("{lo:g}-{hi:g} 秒", "{lo:g}-{hi:g} s"),
    "report.bin.late": ("超过 {target:g} 秒", "> {target:g} s"),
    "report.bin.never": ("未达", "never"),
    "report.rc.title": ("点名 {group}", "点名 {group}"),
    "report.rc.counts": ("{items}", "{items}"),
    "report.rc.count": ("{what} {n} 个", "{n} {what}"),
    "report.rc.mode": ("方式：{mode}", "mode: {mode}"),
    "report.rc.mode.status": ("状态回复", "status"),
    "report.rc.mode.voice": ("语音点名", "voice"),
    "report.rc.mode.sequential": ("逐个点名", "sequential"),
    "report.rc.deadline": ("时限：{s:g} 秒", "deadline: {s:g} s"),
    "report.rc.recall_of": ("补点自 {id}", "re-call of {id}"),
    "report.rc.talkers": ("讲话：{items}", "talkers: {items}"),
    "report.rc.talker": ("{issi}（第 {at:g} 秒）", "{issi}@{at:g}s"),
    "report.rc.talker_outsider": (
        "{issi}（第 {at:g} 秒，非成员）",
        "{issi}@{at:g}s (not a member)",
    ),
    "report.attendance.present": ("出席", "present"),
    "report.attendance.late": ("迟到", "late"),
    "report.attendance.absent": ("缺席", "absent"),
    "report.attendance.unreachable": ("不可达", "unreachable"),
    "report.rc.detail.not called (ended first)": (
        "未点到（点名先结束）",
        "not called (ended first)",
    ),
    "report.list_sep": ("，", ", "),
}
register(_REPORTS)


# The city report (``dutydesk report --db``), kept in a block of its own so edits for
# other commands never collide with it.
register(
    {
        "city.title": ("全市值班报表", "City duty report"),
        "city.period": ("统计时段", "Period"),
        "city.generated": ("数据来源", "Source"),
        "city.total": ("全市合计", "City total"),
        "city.station": ("派出所", "Station"),
        "city.pages": ("呼叫次数", "Pages"),
        "city.responders": ("被呼叫单元次", "Responders paged"),
        "city.ack_within": ("{m}分钟内确认率(%)", "Acknowledged within {m} min (%)"),
        "city.ack_p50": ("确认用时P50(秒)", "Acknowledgement p50 (s)"),
        "city.ack_p90": ("确认用时P90(秒)", "Acknowledgement p90 (s)"),
        "city.rollcalls": ("点名次数", "Roll calls"),
        "city.att.present": ("点名-按时", "Roll call: present"),
        "city.att.late": ("点名-迟到", "Roll call: late"),
        "city.att.absent": ("点名-未到", "Roll call: absent"),
        "city.att.unreachable": ("点名-不可达", "Roll call: unreachable"),
        "city.drills": ("演练次数", "Drills"),
        "city.drill.passed": ("演练-通过", "Drills passed"),
        "city.drill.failed": ("演练-未通过", "Drills failed"),
        "city.drill.interrupted": ("演练-中断", "Drills interrupted"),
        "city.opened": ("受理事件", "Incidents opened"),
        "city.closed": ("办结事件", "Incidents closed"),
        "city.closure": ("办结率(%)", "Closure rate (%)"),
        "city.vs": ("较{rate}%基准(百分点)", "Against the {rate}% benchmark (points)"),
        "city.promise": (
            "1分钟自救、3分钟互救、5分钟增援到位：以被呼叫单元的首次确认计",
            "1 minute self-rescue, 3 minutes mutual aid, 5 minutes reinforcement: "
            "counted on each paged unit's first acknowledgement",
        ),
        "city.benchmark_note": (
            "办结率基准：某市网格化系统一年办结上报问题的97.2%",
            "Closure benchmark: a city grid system closed 97.2% of reported issues in a year",
        ),
        "city.section.pages": ("呼叫与确认", "Pages and acknowledgements"),
        "city.section.rollcalls": ("点名与演练", "Roll calls and drills"),
        "city.section.incidents": ("事件办结", "Incidents closed"),
    }
)


# The event log in the officer's words (console.logwords): every kind, the values inside
# rows (link states, call events, operator actions), and the alarm kinds and sources the
# screens and the log rows share.
_LOG: Final[dict[str, tuple[str, str]]] = {
    "alarm.source.emergency_status": ("紧急状态", "emergency status"),
    "alarm.source.emergency_call": ("紧急呼叫", "emergency call"),
    "alarm.source.text_rule": ("报警短信", "alarm text"),
    "alarm.kind.emergency": ("紧急告警", "emergency"),
    "alarm.kind.smoke": ("烟感告警", "smoke alarm"),
    "alarm.kind.fire": ("火警", "fire alarm"),
    "link.closed": ("未连接", "closed"),
    "link.connecting": ("连接中", "connecting"),
    "link.up": ("已连接", "connected"),
    "link.reconnecting": ("重连中", "reconnecting"),
    "link.down": ("已断开", "down"),
    "log.family.wire": ("线路", "wire"),
    "log.family.page": ("呼叫", "page"),
    "log.family.ladder": ("应答", "ladder"),
    "log.family.escalation": ("升级", "escal."),
    "log.family.incident": ("事件", "incident"),
    "log.family.alarm": ("告警", "alarm"),
    "log.family.operator": ("操作", "operator"),
    "log.family.rollcall": ("点名", "rollcall"),
    "log.family.drill": ("演练", "drill"),
    "log.family.broadcast": ("广播", "broadcast"),
    "log.family.log": ("日志", "log"),
    "log.family.voice": ("语音", "voice"),
    "log.family.service": ("值班服务", "service"),
    "log.kind.wire.sds_in": ("电台消息", "radio message"),
    "log.kind.wire.sds_in.status": ("电台状态", "radio status"),
    "log.kind.wire.sds_in.text": ("电台短信", "radio text"),
    "log.kind.wire.sds_out": ("发出短信", "SDS sent"),
    "log.kind.wire.at_cmd": ("AT 指令", "AT command"),
    "log.kind.wire.at_resp": ("AT 应答", "AT response"),
    "log.kind.wire.unsolicited": ("网关上报", "gateway report"),
    "log.kind.wire.link": ("网关连接", "gateway link"),
    "log.kind.wire.call": ("通话", "call"),
    "log.kind.page.call": ("语音组呼", "group call"),
    "log.kind.page.call_failed": ("组呼失败", "group call failed"),
    "log.kind.page.reply": ("回复短信", "text reply"),
    "log.kind.page.recovery": ("断线恢复后补发", "re-sent after outage"),
    "log.kind.escalation.repage": ("超时重呼", "re-paged"),
    "log.kind.escalation.alert": ("超时提醒", "officer alerted"),
    "log.kind.escalation.backup": ("呼叫备援", "backup paged"),
    "log.kind.alarm.raised": ("告警", "alarm"),
    "log.kind.alarm.repeated": ("告警重复", "alarm repeated"),
    "log.kind.alarm.acknowledged": ("告警已确认", "alarm acknowledged"),
    "log.kind.alarm.cleared": ("告警解除", "alarm cleared"),
    "log.kind.operator.action": ("值班员操作", "operator action"),
    "log.kind.operator.login": ("值班员上岗", "operator on duty"),
    "log.kind.operator.logout": ("值班员离岗", "operator off duty"),
    "log.kind.operator.command": ("操作指令", "command"),
    "log.kind.service.started": ("值班服务启动", "service started"),
    "log.kind.service.stopped": ("值班服务停止", "service stopped"),
    "log.kind.service.resumed": ("恢复跟踪呼叫", "pages resumed"),
    "log.kind.service.log": ("值班服务日志", "service log"),
    "log.kind.rollcall.started": ("点名开始", "roll call started"),
    "log.kind.rollcall.called": ("点名呼叫", "roll call: called"),
    "log.kind.rollcall.answer": ("点名应答", "roll call answer"),
    "log.kind.rollcall.talker": ("点名讲话", "roll call: talker"),
    "log.kind.rollcall.closed": ("点名结束", "roll call closed"),
    "log.kind.drill.started": ("演练开始", "drill started"),
    "log.kind.drill.step": ("演练步骤", "drill step"),
    "log.kind.drill.finished": ("演练结束", "drill finished"),
    "log.kind.broadcast.started": ("广播开始", "broadcast started"),
    "log.kind.broadcast.finished": ("广播结束", "broadcast finished"),
    "log.kind.broadcast.stopped": ("广播停止", "broadcast stopped"),
    "log.kind.broadcast.preempted": ("广播被抢占", "broadcast pre-empted"),
    "log.kind.broadcast.failed": ("广播失败", "broadcast failed"),
    "log.kind.broadcast.outside_config": ("未配置的广播", "broadcast outside the config"),
    "log.kind.voice.device_problem": ("声卡问题", "sound device problem"),
    "log.kind.voice.ptt": ("本台讲话", "PTT"),
    "log.kind.voice.recording": ("录音", "recording"),
    "log.kind.voice.recording_failed": ("录音失败", "recording failed"),
    "log.kind.voice.replay": ("回放", "replay"),
    "log.kind.log.opened": ("日志打开", "log opened"),
    "log.kind.log.closed": ("日志关闭", "log closed"),
    "log.kind.log.recovered": ("日志恢复", "log recovered"),
    "log.status": ("0x{code:04X} {label}", "0x{code:04X} {label}"),
    "log.status.emergency": ("紧急", "emergency"),
    "log.status.unknown": ("未定义", "not in the plan"),
    "log.call.IncomingCall": ("呼入", "incoming call"),
    "log.call.CallProgress": ("通话建立中", "call in progress"),
    "log.call.CallConnected": ("通话接通", "call connected"),
    "log.call.TxGranted": ("讲话授权", "floor granted"),
    "log.call.TxCeased": ("讲话结束", "floor released"),
    "log.call.CallReleased": ("通话结束", "call released"),
    "log.action.repage": ("重呼", "re-page"),
    "log.action.acknowledge": ("登记收到", "recorded acknowledged"),
    "log.action.answered": ("登记应答", "recorded answer"),
    "log.action.release": ("登记完毕", "recorded released"),
    "log.action.close_page": ("结束呼叫", "page closed"),
    "log.pages": ("{n} 个呼叫", "{n} page(s)"),
    "log.manual": ("{method}（人工登记）", "{method} (recorded by the officer)"),
}
register(_LOG)


def t(key: str, lang: str = DEFAULT_LANG, /, **values: object) -> str:
    """The text for ``key`` in ``lang`` (``{name}`` placeholders filled from ``values``)."""
    pair = _CATALOGUE.get(key)
    if pair is None:
        return key
    text = pick(pair, lang) or key
    if not values:
        return text
    return text.format(
        **{k: say(v, lang) if isinstance(v, Phrase) else v for k, v in values.items()}
    )


def pick(pair: tuple[str, str], lang: str) -> str:
    """The text of a (zh-CN, English) pair in ``lang``; an empty zh-CN text says English.
    Only for words that are data, not vocabulary (a key binding declared with its words);
    vocabulary is looked up with :func:`t`."""
    zh, en = pair
    return (en if is_english(lang) else zh) or en


def is_english(lang: str) -> bool:
    """``en``, ``en-GB`` ...: English; everything else is said in zh-CN."""
    return lang[:2].lower() == "en"


def known(key: str) -> bool:
    """Whether the vocabulary has ``key`` (code that words a value *if* it can)."""
    return key in _CATALOGUE


class Phrase(str):
    """Text worded now and said later: the English text, plus how to say it again.

    A ``str`` (its value is the English), so it can stand wherever a report held English
    text; :meth:`say` words it in ``lang`` from the catalogue.  Values that are phrases
    are said in the same language; a tuple of them is joined with the list separator.
    A key with no catalogue entry (a code from a newer log) says the English text.
    """

    key: str
    values: Mapping[str, Any]

    def __new__(cls, key: str, /, english: str | None = None, **values: Any) -> Phrase:
        text = english if english is not None else t(key, "en", **_said(values, "en"))
        self = super().__new__(cls, text)
        self.key = key
        self.values = values
        return self

    @classmethod
    def code(cls, group: str, value: str) -> Phrase:
        """A code (``on_scene``, ``present`` ...) named by ``report.<group>.<value>``,
        itself in English."""
        return cls(f"{group}.{value}", value)

    def say(self, lang: str) -> str:
        """In English its own text (worded when it was made, details and all)."""
        if is_english(lang) or self.key not in _CATALOGUE:
            return str(self)
        return t(self.key, lang, **_said(self.values, lang))

    def data(self) -> dict[str, Any]:
        """JSON-ready (a log row's data, the live stream): :meth:`from_data` reads it."""
        return {"key": self.key, "en": str(self), "values": _data(dict(self.values))}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Phrase:
        values = data.get("values") or {}
        return cls(str(data["key"]), str(data.get("en", "")), **_undata(dict(values)))


def phrase_or(text: str, data: object) -> str:
    """The :class:`Phrase` that ``data`` (from :meth:`Phrase.data`) describes, else
    ``text``: for words read back from a log row or an answer of the station service,
    which an older version wrote without them (or a client cannot read)."""
    if isinstance(data, Mapping):
        try:
            return Phrase.from_data(data)
        except (KeyError, TypeError, ValueError):
            pass
    return text


def _data(value: Any) -> Any:
    if isinstance(value, Phrase):
        return {"$phrase": value.data()}
    if isinstance(value, dict):
        return {str(k): _data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return {"$tuple": [_data(v) for v in value]}
    return value


def _undata(value: Any) -> Any:
    if isinstance(value, dict) and "$phrase" in value:
        return Phrase.from_data(value["$phrase"])
    if isinstance(value, dict) and "$tuple" in value:
        return tuple(_undata(v) for v in value["$tuple"])
    if isinstance(value, dict):
        return {k: _undata(v) for k, v in value.items()}
    return value


def say(value: object, lang: str) -> str:
    """``value`` in ``lang``: a :class:`Phrase` is worded again, anything else as is."""
    if isinstance(value, Phrase):
        return value.say(lang)
    if isinstance(value, tuple):
        return t("report.list_sep", lang).join(say(v, lang) for v in value)
    return str(value)


def _said(values: Mapping[str, Any], lang: str) -> dict[str, Any]:
    return {k: say(v, lang) if isinstance(v, Phrase | tuple) else v for k, v in values.items()}


def normalise_lang(lang: str | None) -> str:
    """Accept 'zh', 'zh_CN', 'ZH-cn', 'en_US' ...; anything else falls back to zh-CN."""
    if not lang:
        return DEFAULT_LANG
    low = lang.replace("_", "-").lower()
    if low.startswith("en"):
        return "en"
    return DEFAULT_LANG


def keys() -> frozenset[str]:
    """All vocabulary keys (for tests that check both languages are complete)."""
    return frozenset(_CATALOGUE)


def words(key: str) -> tuple[str, str]:
    """The (zh-CN, English) pair of ``key`` (KeyError when it has none)."""
    return _CATALOGUE[key]
