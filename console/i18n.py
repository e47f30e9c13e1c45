"""A tiny message catalogue: the UI speaks zh-CN first and English second.

Kept as plain dicts (no gettext) because the console ships a few dozen strings and the
officer switches language with one flag; a missing translation falls back to English,
then to the key itself, so a gap never crashes the screen.
"""

from __future__ import annotations

from typing import Final

DEFAULT_LANG: Final = "zh-CN"
LANGS: Final = ("zh-CN", "en")

_CATALOGUE: Final[dict[str, dict[str, str]]] = {
    "app.title": {"zh-CN": "值班台", "en": "DutyDesk"},
    "col.alias": {"zh-CN": "单元", "en": "Unit"},
    "col.issi": {"zh-CN": "ISSI", "en": "ISSI"},
    "col.kind": {"zh-CN": "类型", "en": "Kind"},
    "col.groups": {"zh-CN": "通话组", "en": "Groups"},
    "status.gateway": {"zh-CN": "网关", "en": "Gateway"},
    "status.operator": {"zh-CN": "值班员", "en": "Operator"},
    "status.starting_sim": {"zh-CN": "正在启动模拟网关…", "en": "starting simulator…"},
    "status.sim_failed": {"zh-CN": "模拟网关不可用", "en": "simulator unavailable"},
    "status.units": {"zh-CN": "单元", "en": "units"},
    "key.quit": {"zh-CN": "退出", "en": "Quit"},
    "kind.school": {"zh-CN": "学校", "en": "school"},
    "kind.enterprise": {"zh-CN": "企业", "en": "enterprise"},
    "kind.hospital": {"zh-CN": "医院", "en": "hospital"},
    "kind.bank": {"zh-CN": "银行", "en": "bank"},
    "kind.community": {"zh-CN": "社区", "en": "community"},
    "kind.patrol": {"zh-CN": "巡逻", "en": "patrol"},
    "kind.fire": {"zh-CN": "消防", "en": "fire"},
    "kind.government": {"zh-CN": "机关", "en": "government"},
    "kind.transport": {"zh-CN": "交通", "en": "transport"},
    "kind.market": {"zh-CN": "市场", "en": "market"},
    "kind.other": {"zh-CN": "其他", "en": "other"},
    "check.ok": {"zh-CN": "配置文件正确", "en": "station file OK"},
    "check.station": {"zh-CN": "派出所", "en": "station"},
    "check.gateway": {"zh-CN": "网关", "en": "gateway"},
    "check.units": {"zh-CN": "单元", "en": "units"},
    "check.emergency_units": {"zh-CN": "最小应急单元", "en": "minimum emergency units"},
    "check.patrols": {"zh-CN": "巡逻队", "en": "patrols"},
    "check.groups": {"zh-CN": "通话组/名单", "en": "talkgroups/lists"},
    "check.zones": {"zh-CN": "广播分区", "en": "loudspeaker zones"},
    "check.templates": {"zh-CN": "消息模板", "en": "message templates"},
    "check.targets": {"zh-CN": "时限", "en": "targets"},
    "check.problems": {
        "zh-CN": "配置文件有 {n} 处错误",
        "en": "{n} problem(s) in the station file",
    },
    "cli.eventlog_missing": {
        "zh-CN": "日志导出功能尚未安装（console.eventlog 不可用）",
        "en": "log export is not available yet (console.eventlog is not installed)",
    },
}


# The city report (``dutydesk report --db``), kept in a block of its own so edits for
# other commands never collide with it.
_CATALOGUE.update(
    {
        "city.title": {"zh-CN": "全市值班报表", "en": "City duty report"},
        "city.period": {"zh-CN": "统计时段", "en": "Period"},
        "city.generated": {"zh-CN": "数据来源", "en": "Source"},
        "city.total": {"zh-CN": "全市合计", "en": "City total"},
        "city.station": {"zh-CN": "派出所", "en": "Station"},
        "city.pages": {"zh-CN": "呼叫次数", "en": "Pages"},
        "city.responders": {"zh-CN": "被呼叫单元次", "en": "Responders paged"},
        "city.ack_within": {"zh-CN": "{m}分钟内确认率(%)", "en": "Acknowledged within {m} min (%)"},
        "city.ack_p50": {"zh-CN": "确认用时P50(秒)", "en": "Acknowledgement p50 (s)"},
        "city.ack_p90": {"zh-CN": "确认用时P90(秒)", "en": "Acknowledgement p90 (s)"},
        "city.rollcalls": {"zh-CN": "点名次数", "en": "Roll calls"},
        "city.att.present": {"zh-CN": "点名-按时", "en": "Roll call: present"},
        "city.att.late": {"zh-CN": "点名-迟到", "en": "Roll call: late"},
        "city.att.absent": {"zh-CN": "点名-未到", "en": "Roll call: absent"},
        "city.att.unreachable": {"zh-CN": "点名-不可达", "en": "Roll call: unreachable"},
        "city.drills": {"zh-CN": "演练次数", "en": "Drills"},
        "city.drill.passed": {"zh-CN": "演练-通过", "en": "Drills passed"},
        "city.drill.failed": {"zh-CN": "演练-未通过", "en": "Drills failed"},
        "city.drill.interrupted": {"zh-CN": "演练-中断", "en": "Drills interrupted"},
        "city.opened": {"zh-CN": "受理事件", "en": "Incidents opened"},
        "city.closed": {"zh-CN": "办结事件", "en": "Incidents closed"},
        "city.closure": {"zh-CN": "办结率(%)", "en": "Closure rate (%)"},
        "city.vs": {
            "zh-CN": "较{rate}%基准(百分点)",
            "en": "Against the {rate}% benchmark (points)",
        },
        "city.promise": {
            "zh-CN": "1分钟自救、3分钟互救、5分钟增援到位：以被呼叫单元的首次确认计",
            "en": "1 minute self-rescue, 3 minutes mutual aid, 5 minutes reinforcement: "
            "counted on each paged unit's first acknowledgement",
        },
        "city.benchmark_note": {
            "zh-CN": "办结率基准：某市网格化系统一年办结上报问题的97.2%",
            "en": "Closure benchmark: a city grid system closed 97.2% of reported issues in a year",
        },
        "city.section.pages": {"zh-CN": "呼叫与确认", "en": "Pages and acknowledgements"},
        "city.section.rollcalls": {"zh-CN": "点名与演练", "en": "Roll calls and drills"},
        "city.section.incidents": {"zh-CN": "事件办结", "en": "Incidents closed"},
    }
)


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The text for ``key`` in ``lang`` (``{name}`` placeholders filled from ``values``)."""
    entry = _CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("en") or key
    return text.format(**values) if values else text


def normalise_lang(lang: str | None) -> str:
    """Accept 'zh', 'zh_CN', 'ZH-cn', 'en_US' ...; anything else falls back to zh-CN."""
    if not lang:
        return DEFAULT_LANG
    low = lang.replace("_", "-").lower()
    if low.startswith("en"):
        return "en"
    return DEFAULT_LANG


def keys() -> frozenset[str]:
    """All catalogue keys (for tests that check both languages are complete)."""
    return frozenset(_CATALOGUE)
