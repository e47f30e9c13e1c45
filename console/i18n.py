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
