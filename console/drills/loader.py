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
from console.config.reader import Problems, Table, show
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
from console.errors import ConfigError, ConsoleError
from console.paging.model import Recipient
from console.paging.selection import recipient

_TOP = ("drill", "page", "announcement", "deadlines", "targets", "criteria", "simulation")
_HINT = "docs/drills.md describes every field, with examples in examples/drills/"


DRILL_HINT = "Fix the drill file; docs/drills.md describes every field."


def load_drill(path: str | PathLike[str], station: Station) -> Drill:
    """Load and check the drill file at ``path`` against ``station``."""
    source = str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError(f"cannot read drill file: {exc.strerror or exc}", path=source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError("the file is not UTF-8 text", path=source, line=line) from None
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
        p.add((), "missing the [drill] table", 'start the file with [drill] name = "..."')
    d = root.table("drill", ("name", "description", "units", "groups"))
    participants, talkgroups = _participants(d, p, station)
    pg = root.table("page", ("text", "voice", "priority"))
    voice = pg.flag("voice", False)
    text = pg.text("text", "") if pg.has("text") or voice else pg.text("text")
    if voice and not talkgroups:
        p.add(("page", "voice"), "a voice page needs a talkgroup in [drill] groups")
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
        p.add(("drill",), "the drill has no units", "list units or groups under [drill]")
    return tuple(found.values()), tuple(talkgroups)


def _resolve(p: Problems, path: tuple[str | int, ...], ref: Any, station: Station) -> list[Any]:
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        p.add(path, f"expected a unit/group name or a number, got {show(ref)}")
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
            t.p.add((*t.path, key), f"expected seconds > 0 or false, got {show(raw)}")
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
                f"expected seconds > 0, got {show(within)}"
                if within is not None
                else f"{rung} has no deadline: give within = seconds",
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
        f'expected "95%", "all" or a number of units, got {show(raw)}',
        'e.g. at_least = "95%"',
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
            e.p.add((*e.path, "at"), "needs the seconds after the page", "at = 30")
            continue
        problem = check_command(command)
        if problem:
            e.p.add((*e.path, "do"), problem, 'do = "emergency 2004"')
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
        t.p.add((*t.path, key), f"expected seconds >= 0, got {show(raw)}")
        return None
    return float(raw)
