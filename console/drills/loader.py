"""Read a drill TOML file into a validated :class:`~console.drills.model.Drill`.

Same rules as the station file: every mistake is a :class:`~console.errors.ConfigError`
naming the file, line and field (``console.config.reader`` locates it), all problems of
a file are found in one pass, and nothing is sent to a radio before the file is valid.
"""

from __future__ import annotations

import tomllib
from fractions import Fraction
from os import PathLike
from typing import Any

from console.config import (
    Group,
    Station,
    Unit,
)
from console.config.loader import _syntax_error
from console.config.reader import Problems, Table, shown
from console.deadlines import Deadlines, Escalation
from console.drills.model import (
    BEHAVIOURS,
    CRITERION_RUNGS,
    RUNG_DEADLINES,
    Announcement,
    Criterion,
    Drill,
    ScriptedUnits,
    SimEvent,
    Simulation,
)
from console.drills.simulated import check_command
from console.errors import ConfigError, ConsoleError, os_reason
from console.i18n import Phrase, register
from console.paging.model import Recipient
from console.paging.selection import recipient

_TOP = ("drill", "page", "announcement", "deadlines", "targets", "criteria", "simulation")

# A drill file's mistakes, said in the station's language (the station file's words in
# ``console.config`` cover the fields both files share).
WORDS = register(
    {
        "drill.hint": (
            "请修改演练文件；docs/drills.md 说明了每个字段。",
            "Fix the drill file; docs/drills.md describes every field.",
        ),
        "drill.unreadable": ("无法读取演练文件：{why}", "cannot read drill file: {why}"),
        "drill.hint.path": ("请检查演练文件的路径", "check the drill file's path"),
        "drill.check.problems": ("{file} 中有 {n} 处问题", "{n} problem(s) in {file}"),
        "drill.missing": ("缺少 [drill] 表", "missing the [drill] table"),
        "drill.hint.missing": (
            "文件请以 [drill] 开头，再写 'name = \"...\"'",
            'start the file with [drill] name = "..."',
        ),
        "drill.voice_group": (
            "语音呼叫需要在 [drill] 的 'groups' 中写一个通话组",
            "a voice page needs a talkgroup in [drill] groups",
        ),
        "drill.no_units": ("演练没有单元", "the drill has no units"),
        "drill.hint.no_units": (
            "请在 [drill] 下列出 'units' 或 'groups'",
            "list units or groups under [drill]",
        ),
        "drill.ref": (
            "应为单元或通话组的名称或号码，实际为 {got}",
            "expected a unit/group name or a number, got {got}",
        ),
        "drill.seconds_or_false": (
            "应为大于 0 的秒数或 'false'，实际为 {got}",
            "expected seconds > 0 or false, got {got}",
        ),
        "drill.seconds": ("应为大于 0 的秒数，实际为 {got}", "expected seconds > 0, got {got}"),
        "drill.seconds_from_0": (
            "应为不小于 0 的秒数，实际为 {got}",
            "expected seconds >= 0, got {got}",
        ),
        "drill.no_deadline": (
            "'{rung}' 没有时限：请写 'within = 秒数'",
            "{rung} has no deadline: give within = seconds",
        ),
        "drill.at_least": (
            '应为 "95%"、"all" 或单元个数，实际为 {got}',
            'expected "95%", "all" or a number of units, got {got}',
        ),
        "drill.hint.at_least": ("例如 'at_least = \"95%\"'", 'e.g. at_least = "95%"'),
        "drill.event_at": ("需要写呼叫后第几秒", "needs the seconds after the page"),
        "drill.hint.event_at": ("例如 'at = 30'", "at = 30"),
        "drill.scripted_real": (
            "脚本化的单元行为只能在模拟网络上运行，不能用于真实网关",
            "scripted behaviour runs only against the simulated network, not a real gateway",
        ),
        "drill.hint.scripted_real": (
            "删去 [simulation] 即可在真实电台上演练",
            "remove [simulation] to run the drill on the radios",
        ),
        "drill.still_running": ("演练 {id} 仍在进行", "drill {id} is still running"),
        "drill.cannot_script": (
            "演练 {name!r} 要改变模拟网络的单元行为，本控制台做不到",
            "drill {name!r} scripts the simulated network, which this console cannot change",
        ),
        "drill.hint.cannot_script": (
            "请用 'dutydesk drill run 文件 --gateway sim' 运行它",
            "run it with `dutydesk drill run FILE --gateway sim`",
        ),
        "drill.hint.command": (
            "例如 'do = \"紧急 2004\"'；指令有：紧急、烟感、短信、状态、关机、开机、离开、回来、"
            "拔线、插线（后接电台的 ISSI 号码）",
            'do = "emergency 2004"',
        ),
    }
)
DRILL_HINT = Phrase("drill.hint")


def load_drill(path: str | PathLike[str], station: Station) -> Drill:
    """Load and check the drill file at ``path`` against ``station``."""
    source = str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError(
            Phrase("drill.unreadable", why=os_reason(exc)),
            path=source,
            hint=Phrase("drill.hint.path"),
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            Phrase("config.not_utf8"), path=source, line=line, hint=Phrase("config.hint.utf8")
        ) from None
    return load_drill_text(text, station, source)


def load_drill_text(text: str, station: Station, source: str = "<drill>") -> Drill:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, text, source) from None
    p = Problems(text, source, hint=DRILL_HINT)
    drill = _build(doc, p, station)
    p.raise_if_any()
    return drill


def _build(doc: dict[str, Any], p: Problems, station: Station) -> Drill:
    root = Table(p, doc, (), _TOP)
    if not root.has("drill"):
        p.add((), Phrase("drill.missing"), Phrase("drill.hint.missing"))
    d = root.table("drill", ("name", "description", "units", "groups"))
    participants, talkgroups = _participants(d, p, station)
    pg = root.table("page", ("text", "voice", "priority"))
    voice = pg.flag("voice", False)
    text = pg.text("text", "") if pg.has("text") or voice else pg.text("text")
    if voice and not talkgroups:
        p.add(("page", "voice"), Phrase("drill.voice_group"))
    deadlines = _deadlines(root, station)
    return Drill(
        name=d.text("name") if root.has("drill") else "",
        description=d.text("description", "", nonempty=False),
        source=p.source,
        participants=participants,
        talkgroups=talkgroups,
        text=text or "",
        voice=bool(voice),
        priority=pg.integer("priority", 5, lo=0, hi=15) or 5,
        deadlines=deadlines,
        criteria=_criteria(root, p, deadlines),
        announcement=_announcement(root),
        simulation=_simulation(root, p, station, participants),
    )


def _participants(
    d: Table, p: Problems, station: Station
) -> tuple[tuple[Recipient, ...], tuple[int, ...]]:
    found: dict[int, Recipient] = {}
    talkgroups: list[int] = []
    for key in ("units", "groups"):
        for path, ref in d.array(key):
            for target in _resolve(p, path, ref, station):
                if isinstance(target, Unit):
                    found.setdefault(target.issi, recipient(target, None))
                    continue
                if target.gssi is not None and target.gssi not in talkgroups:
                    talkgroups.append(target.gssi)
                for unit in station.members_of(target):
                    found.setdefault(unit.issi, recipient(unit, target))
    if not found and not p.errors:
        p.add(("drill",), Phrase("drill.no_units"), Phrase("drill.hint.no_units"))
    return tuple(found.values()), tuple(talkgroups)


def _resolve(p: Problems, path: tuple[str | int, ...], ref: Any, station: Station) -> list[Any]:
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        p.add(path, Phrase("drill.ref", got=shown(ref)))
        return []
    try:
        return station.lookup(str(ref))
    except ConsoleError as exc:
        p.add(path, exc.message, exc.hint or None)
        return []


def _deadlines(root: Table, station: Station) -> Deadlines:
    """``[deadlines]`` (or its old name ``[targets]``, keyed by rung): seconds, or
    ``false`` for one this drill does not ask; the station's where left out."""
    rungs = tuple(RUNG_DEADLINES)
    fields = tuple(RUNG_DEADLINES.values())
    esc_key = "escalation"
    t, old = root.renamed_table("deadlines", "targets", (*fields, esc_key), (*rungs, esc_key))
    keys = rungs if old else fields
    st = station.deadlines
    values: dict[str, float | None] = {}
    for key, name in zip(keys, fields, strict=True):
        raw = t.data.get(key, getattr(st, name))
        if raw is False:  # `on_scene_s = false`: this drill does not ask for it
            values[name] = None
        elif isinstance(raw, bool) or not isinstance(raw, int | float) or raw <= 0:
            t.p.add((*t.path, key), Phrase("drill.seconds_or_false", got=shown(raw)))
            values[name] = None
        else:
            values[name] = float(raw)
    esc = t.table(esc_key, ("repage", "repage_limit", "alert_officer", "page_backup"))
    se = st.escalation
    return Deadlines(
        **values,
        escalation=Escalation(
            repage=_or(esc.flag("repage", se.repage), se.repage),
            repage_limit=_or(esc.integer("repage_limit", se.repage_limit, lo=0, hi=10), 0),
            alert_officer=_or(esc.flag("alert_officer", se.alert_officer), se.alert_officer),
            page_backup=_or(esc.flag("page_backup", se.page_backup), se.page_backup),
        ),
    )


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def _criteria(root: Table, p: Problems, deadlines: Deadlines) -> tuple[Criterion, ...]:
    out: list[Criterion] = []
    for c in root.tables("criteria", ("rung", "within", "at_least")):
        rung = c.text("rung", choices=CRITERION_RUNGS)
        if rung is None:
            continue
        field = RUNG_DEADLINES.get(rung)
        default = getattr(deadlines, field) if field else None
        within = c.data.get("within", default)
        if isinstance(within, bool) or not isinstance(within, int | float) or within <= 0:
            p.add(
                (*c.path, "within"),
                Phrase("drill.seconds", got=shown(within))
                if within is not None
                else Phrase("drill.no_deadline", rung=rung),
            )
            continue
        share, count = _at_least(c, p)
        out.append(Criterion(rung, float(within), share, count))
    if not out and not root.has("criteria"):
        for rung, field in RUNG_DEADLINES.items():  # default: everyone meets every target
            value = getattr(deadlines, field)
            if value is not None:
                out.append(Criterion(rung, float(value), Fraction(1)))
    return tuple(out)


def _at_least(c: Table, p: Problems) -> tuple[Fraction | None, int | None]:
    raw = c.data.get("at_least", "all")
    path = (*c.path, "at_least")
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return None, raw
    if isinstance(raw, str):
        text = raw.strip()
        if text.lower() == "all":
            return Fraction(1), None
        if text.endswith("%"):
            try:
                share = Fraction(text[:-1].strip()) / 100
            except (ValueError, ZeroDivisionError):
                share = Fraction(-1)
            if 0 <= share <= 1:
                return share, None
    p.add(
        path,
        Phrase("drill.at_least", got=shown(raw)),
        Phrase("drill.hint.at_least"),
    )
    return None, None


def _announcement(root: Table) -> Announcement | None:
    if not root.has("announcement"):
        return None
    a = root.table("announcement", ("zones", "text"))
    zones = tuple(str(z) for _, z in a.array("zones"))
    return Announcement(zones, a.text("text") or "")


def _simulation(
    root: Table, p: Problems, station: Station, participants: tuple[Recipient, ...]
) -> Simulation | None:
    if not root.has("simulation"):
        return None
    s = root.table("simulation", ("seed", "units", "events"))
    scripts: list[ScriptedUnits] = []
    keys = ("units", "behaviour", "delivery", "answer_after", "en_route_after", "on_scene_after")
    for u in s.tables("units", keys):
        issis: list[int] = []
        if u.data.get("units") == "all":
            issis = [r.issi for r in participants]
        else:
            for path, ref in u.array("units"):
                for target in _resolve(p, path, ref, station):
                    members = station.members_of(target) if isinstance(target, Group) else (target,)
                    issis += [m.issi for m in members if m.issi not in issis]
        behaviour = u.text("behaviour", "status", choices=BEHAVIOURS)
        delays = {k: _seconds(u, k) for k in keys[2:]}
        scripts.append(ScriptedUnits(tuple(issis), behaviour or "status", **delays))
    events: list[SimEvent] = []
    for e in s.tables("events", ("at", "do")):
        at = _seconds(e, "at")
        command = e.text("do") or ""
        if at is None:
            e.p.add((*e.path, "at"), Phrase("drill.event_at"), Phrase("drill.hint.event_at"))
            continue
        problem = check_command(command)
        if problem:
            e.p.add((*e.path, "do"), problem, Phrase("drill.hint.command"))
            continue
        events.append(SimEvent(at, command))
    return Simulation(
        seed=s.integer("seed", 1, lo=0) or 0,
        units=tuple(scripts),
        line=p.map.line_of(("simulation",)),
        events=tuple(sorted(events, key=lambda ev: ev.at_s)),
    )


def _seconds(t: Table, key: str) -> float | None:
    raw = t.data.get(key)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 0:
        t.p.add((*t.path, key), Phrase("drill.seconds_from_0", got=shown(raw)))
        return None
    return float(raw)
