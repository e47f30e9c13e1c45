"""Read a station TOML file into a validated :class:`~console.config.model.Station`.

Two passes: ``tomllib`` checks the syntax (its line/column is re-wrapped into a
:class:`ConfigError`), then the builder checks types, ranges, unknown keys and
cross-references, locating each problem with :class:`~console.config.locate.SourceMap`.
A user mistake is always a ``ConfigError``; never a traceback.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import sys
import tomllib
from functools import lru_cache
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

from console.config.locate import KeyPath, format_path
from console.config.model import (
    DEFAULT_ACK_PREFIXES,
    DEFAULT_STATUS_CODES,
    LANGUAGES,
    PAGE_MODES,
    SSI_MAX,
    SSI_MIN,
    UNIT_KINDS,
    ApiToken,
    AudioConfig,
    GatewayConfig,
    Group,
    MessageTemplate,
    PagingConfig,
    ReplicationConfig,
    ServiceConfig,
    Speaker,
    Station,
    StatusCode,
    StatusPlan,
    Unit,
    Zone,
)
from console.config.reader import Problems, Table, show
from console.config.where import StationSource, find_station_file, lookup_help
from console.deadlines import Deadlines, Escalation
from console.errors import ConfigError, os_reason
from console.i18n import Phrase, normalise_lang, register

DEMO_RESOURCE = "demo_station.toml"

_TOP = (
    "station",
    "gateway",
    "deadlines",
    "targets",
    "paging",
    "status_plan",
    "units",
    "groups",
    "zones",
    "templates",
    "audio",
    "service",
    "replication",
)
_URL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "sim", "alt", "hwgrep")
_IDENT = re.compile(r"^[A-Za-z0-9_-]+$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$"
)
_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
WORDS = register(
    {
        "config.unreadable": ("无法读取配置文件：{why}", "cannot read station file: {why}"),
        "config.hint.path": (
            "请检查 --config 或 $DUTYDESK_CONFIG 给出的路径",
            "check the path given to --config or $DUTYDESK_CONFIG",
        ),
        "config.not_utf8": ("文件不是 UTF-8 编码的文本", "the file is not UTF-8 text"),
        "config.hint.utf8": (
            "请把文件另存为 UTF-8 编码（不要用 GBK/GB2312）",
            "save the file as UTF-8 (not GBK/GB2312)",
        ),
        "config.syntax": ("TOML 语法错误", "TOML syntax error"),
        "config.syntax_at": ("TOML 语法错误（第 {column} 列）", "TOML syntax error"),
        "config.hint.syntax": (
            '文字值要加 "双引号"；每个 键 = 值 单独占一行',
            'text values need "double quotes"; each key = value on its own line',
        ),
    }
)
_SSI_HINT = f"radio numbers (ISSI/GSSI) are {SSI_MIN}..{SSI_MAX} (24 bits)"


def load_station(path: str | PathLike[str]) -> Station:
    """Load and validate the station file at ``path`` (shown in errors as given)."""
    source = str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError(
            Phrase("config.unreadable", why=os_reason(exc)),
            path=source,
            hint=Phrase("config.hint.path"),
        ) from None
    try:
        text = raw.decode("utf-8-sig")  # Windows editors like to add a BOM
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            Phrase("config.not_utf8"),
            path=source,
            line=line,
            hint=Phrase("config.hint.utf8"),
        ) from None
    return load_station_text(text, source)


def load_station_text(text: str, source_name: str = "<text>") -> Station:
    """Parse and validate station TOML ``text``; ``source_name`` is used in errors."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, text, source_name) from None
    problems = Problems(text, source_name)
    station = _build(doc, problems)
    problems.raise_if_any()
    return station


@lru_cache(maxsize=1)
def demo_station() -> Station:
    """The built-in fictional station, used when ``dutydesk`` runs without ``--config``."""
    resource = resources.files("console.data").joinpath(DEMO_RESOURCE)
    return load_station_text(resource.read_text(encoding="utf-8"), DEMO_RESOURCE)


def _syntax_error(exc: tomllib.TOMLDecodeError, text: str, source: str) -> ConfigError:
    message = str(exc)
    line: int | None = None
    column = ""
    match = _TOML_POS.search(message)
    if match:
        line, column = int(match.group(1)), match.group(2)
        message = f"{message[: match.start()]} (column {column})"
    elif "end of document" in message:
        line = text.count("\n") + 1
    english = f"TOML syntax error: {message[:1].lower()}{message[1:]}"
    # tomllib says what is wrong in English only: zh-CN names the place, not the words
    key = "config.syntax_at" if column else "config.syntax"
    return ConfigError(
        Phrase(key, english, column=column),
        path=source,
        line=line,
        hint=Phrase("config.hint.syntax"),
    )


# -- builder ----------------------------------------------------------------------------


def _build(doc: dict[str, Any], p: Problems) -> Station:
    root = Table(p, doc, (), _TOP)
    st = root.table("station", ("name", "name_en", "operator", "language"))
    if not root.has("station"):
        p.add((), "missing the [station] table", "start the file with [station] name = ...")
    gateway = _gateway(root, p)
    units, backups, unit_groups = _units(root, p)
    groups = _groups(root, p, units, unit_groups)
    units = _finish_units(p, units, backups, unit_groups, groups)
    _check_names(p, units, groups)
    _check_ssis(p, units, groups, gateway)
    return Station(
        name=st.text("name") if root.has("station") else "",
        name_en=st.text("name_en", ""),
        operator=st.text("operator", "值班民警"),
        language=st.text("language", "zh-CN", choices=LANGUAGES),
        gateway=gateway,
        units=tuple(units),
        groups=tuple(groups),
        zones=_zones(root, p),
        status_plan=_status_plan(root, p),
        deadlines=_deadlines(root),
        paging=_paging(root),
        templates=_templates(root, p),
        source=p.source,
        audio=_audio(root),
        service=_service(root, p),
        replication=_replication(root, p, st.data.get("name")),
    )


def _gateway(root: Table, p: Problems) -> GatewayConfig:
    gw = root.table("gateway", ("url", "baud", "dialect", "issi"))
    if not root.has("gateway"):
        p.add((), "missing the [gateway] table", 'add [gateway] url = "/dev/ttyUSB0"')
        return GatewayConfig(url="")
    url = gw.text("url")
    if isinstance(url, str) and "://" in url:
        scheme, _, rest = url.partition("://")
        if scheme not in _URL_SCHEMES:
            p.add(
                ("gateway", "url"),
                f"unknown URL scheme {scheme!r}",
                "use a device path (/dev/ttyUSB0, COM3), socket://host:port or sim://demo",
            )
        elif scheme == "socket" and not re.fullmatch(r".+:\d{1,5}", rest):
            p.add(("gateway", "url"), f"socket URL needs host:port, got {show(url)}")
    dialect = gw.text("dialect", "etsi")
    if isinstance(dialect, str) and not _IDENT.match(dialect):
        p.add(("gateway", "dialect"), f"not a dialect name: {show(dialect)}", "e.g. 'etsi'")
    return GatewayConfig(
        url=url,
        baud=gw.integer("baud", 115200, lo=300, hi=4_000_000),
        dialect=dialect,
        issi=gw.integer("issi", None, lo=SSI_MIN, hi=SSI_MAX),
    )


_UNIT_KEYS = ("issi", "alias", "name_en", "kind", "contact", "notes", "backup", "groups")
_RefList = list[tuple[KeyPath, Any]]


def _units(
    root: Table, p: Problems
) -> tuple[list[Unit], list[tuple[KeyPath, Any]], list[_RefList]]:
    """First pass over [[units]]: own fields; references are resolved later."""
    units: list[Unit] = []
    backups: list[tuple[KeyPath, Any]] = []
    unit_groups: list[_RefList] = []
    for t in root.tables("units", _UNIT_KEYS):
        units.append(
            Unit(
                issi=t.integer("issi", lo=SSI_MIN, hi=SSI_MAX),
                alias=t.text("alias"),
                kind=t.text("kind", choices=UNIT_KINDS),
                name_en=t.text("name_en", ""),
                contact=t.text("contact", "", nonempty=False),
                notes=t.text("notes", "", nonempty=False),
            )
        )
        backups.append(((*t.path, "backup"), t.data.get("backup")))
        unit_groups.append(t.array("groups"))
    return units, backups, unit_groups


def _unit_ref(p: Problems, path: KeyPath, ref: Any, units: list[Unit]) -> int | None:
    """An ISSI or alias naming a configured unit; records a problem otherwise."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        if any(u.issi == ref for u in units):
            return ref
    elif isinstance(ref, str):
        for u in units:
            if ref in (u.alias, u.name_en) and ref:
                return u.issi
    else:
        p.add(path, f"expected an ISSI number or a unit alias, got {show(ref)}")
        return None
    names = [u.alias for u in units if isinstance(u.alias, str)]
    from difflib import get_close_matches

    close = [n for n in names if isinstance(ref, str) and ref and ref in n]
    close += get_close_matches(str(ref), names, n=2, cutoff=0.5)
    hint = f"did you mean {close[0]!r}?" if close else "list the unit under [[units]] first"
    p.add(path, f"unknown unit {show(ref)}", hint)
    return None


_GROUP_KEYS = ("name", "name_en", "gssi", "kind", "members", "kinds", "all_units")


def _groups(
    root: Table, p: Problems, units: list[Unit], unit_groups: list[_RefList]
) -> list[Group]:
    groups: list[Group] = []
    for t in root.tables("groups", _GROUP_KEYS):
        gssi = t.integer("gssi", None, lo=SSI_MIN, hi=SSI_MAX)
        kind = t.text(
            "kind", "talkgroup" if t.has("gssi") else "list", choices=("talkgroup", "list")
        )
        if kind == "talkgroup" and not t.has("gssi"):
            p.add(t.path, "a talkgroup needs a gssi", 'add gssi = ..., or kind = "list"')
        if kind == "list" and t.has("gssi"):
            p.add((*t.path, "kind"), "a console-side list has no gssi", "remove gssi or kind")
        members: list[int] = []
        for path, ref in t.array("members"):
            issi = _unit_ref(p, path, ref, units)
            if issi is not None and issi not in members:
                members.append(issi)
        kinds = set()
        for path, k in t.array("kinds"):
            if k not in UNIT_KINDS:
                p.add(path, f"unknown unit kind {show(k)}", "kinds: " + ", ".join(UNIT_KINDS))
            kinds.add(k)
        everyone = t.flag("all_units", False)
        for u in units:
            if (everyone or u.kind in kinds) and u.issi not in members:
                members.append(u.issi)
        groups.append(
            Group(
                name=t.text("name"),
                kind=kind,
                gssi=gssi,
                members=tuple(members),
                name_en=t.text("name_en", ""),
            )
        )
    return groups


def _finish_units(
    p: Problems,
    units: list[Unit],
    backups: list[tuple[KeyPath, Any]],
    unit_groups: list[_RefList],
    groups: list[Group],
) -> list[Unit]:
    """Resolve each unit's backup and groups, and merge the unit-side group lists."""
    extra: dict[str, list[int]] = {g.name: [] for g in groups}
    for unit, refs in zip(units, unit_groups, strict=True):
        for path, ref in refs:
            group = next((g for g in groups if ref in (g.name, g.gssi) and ref != ""), None)
            if group is None or isinstance(ref, bool):
                names = [g.name for g in groups]
                hint = "define it under [[groups]]" + (
                    f"; groups: {', '.join(names)}" if names else ""
                )
                p.add(path, f"unknown group {show(ref)}", hint)
            elif unit.issi not in group.members:
                extra[group.name].append(unit.issi)
    groups[:] = [
        Group(g.name, g.kind, g.gssi, g.members + tuple(extra[g.name]), g.name_en) for g in groups
    ]
    done: list[Unit] = []
    for unit, (bpath, bref) in zip(units, backups, strict=True):
        backup = None if bref is None else _unit_ref(p, bpath, bref, units)
        if backup is not None and backup == unit.issi:
            p.add(bpath, "a unit cannot be its own backup", "name a neighbouring unit")
        member_of = tuple(g.name for g in groups if unit.issi in g.members)
        done.append(
            Unit(
                unit.issi,
                unit.alias,
                unit.kind,
                unit.name_en,
                unit.contact,
                unit.notes,
                backup,
                member_of,
            )
        )
    return done


def _check_names(p: Problems, units: list[Unit], groups: list[Group]) -> None:
    """Aliases and group names must be unique: the officer pages by name."""
    seen: dict[str, str] = {}
    entries: list[tuple[KeyPath, str]] = []
    for i, u in enumerate(units):
        entries += [(("units", i, "alias"), u.alias), (("units", i, "name_en"), u.name_en)]
    for i, g in enumerate(groups):
        entries += [(("groups", i, "name"), g.name), (("groups", i, "name_en"), g.name_en)]
    for path, name in entries:
        if not isinstance(name, str) or not name:
            continue
        key = name.casefold()
        if key in seen:
            p.add(
                path, f"duplicate name {show(name)} (also {seen[key]})", "every name must be unique"
            )
        else:
            seen[key] = format_path(path)
        if name.isdigit():
            p.add(path, f"a name cannot be only digits ({name})", "digits are read as an ISSI")


def _check_ssis(p: Problems, units: list[Unit], groups: list[Group], gw: GatewayConfig) -> None:
    """One SSI, one radio or talkgroup: a raw number must resolve unambiguously."""
    seen: dict[int, str] = {}
    if isinstance(gw.issi, int):
        seen[gw.issi] = "gateway.issi"
    entries: list[tuple[KeyPath, int | None]] = [
        (("units", i, "issi"), u.issi) for i, u in enumerate(units)
    ]
    entries += [(("groups", i, "gssi"), g.gssi) for i, g in enumerate(groups)]
    for path, ssi in entries:
        if not isinstance(ssi, int):
            continue
        if ssi in seen:
            p.add(
                path,
                f"duplicate ISSI/GSSI {ssi} (also {seen[ssi]})",
                "every radio and talkgroup has its own number",
            )
        else:
            seen[ssi] = format_path(path)


_ZONE_KEYS = ("id", "name", "name_en", "multicast_allowed", "speakers")
_SPEAKER_KEYS = ("name", "name_en", "host", "port", "codec", "protocol", "channel", "notes")


def _zones(root: Table, p: Problems) -> tuple[Zone, ...]:
    zones: list[Zone] = []
    ids: set[str] = set()
    for t in root.tables("zones", _ZONE_KEYS):
        zone_id = t.text("id")
        if isinstance(zone_id, str):
            if not _IDENT.match(zone_id):
                p.add(
                    (*t.path, "id"),
                    f"zone id must be letters, digits, - or _; got {show(zone_id)}",
                )
            if zone_id in ids:
                p.add((*t.path, "id"), f"duplicate zone id {show(zone_id)}")
            ids.add(zone_id)
        multicast_ok = t.flag("multicast_allowed", False)
        speakers = tuple(_speaker(s, p, multicast_ok) for s in t.tables("speakers", _SPEAKER_KEYS))
        if not speakers and not t.has("speakers"):
            p.add(t.path, "a zone needs at least one speaker", "add [[zones.speakers]] entries")
        zones.append(Zone(zone_id, t.text("name"), t.text("name_en", ""), speakers, multicast_ok))
    return tuple(zones)


def _speaker(t: Table, p: Problems, multicast_ok: bool) -> Speaker:
    host = t.text("host")
    if isinstance(host, str):
        try:
            addr = ipaddress.ip_address(host)
        except ValueError:
            if not _HOSTNAME.match(host):
                p.add((*t.path, "host"), f"not an IP address or host name: {show(host)}")
        else:
            if addr.is_multicast and not multicast_ok:
                p.add(
                    (*t.path, "host"),
                    f"{host} is a multicast address",
                    "set multicast_allowed = true on the zone if the network carries multicast",
                )
    protocol = t.text("protocol", "rtp", choices=("rtp", "polycom"))
    channel = t.integer("channel", None, lo=1, hi=50)
    if protocol == "polycom" and channel is None and not t.has("channel"):
        p.add(t.path, "a polycom speaker needs a channel (1..50)", "add channel = 26")
    if protocol == "rtp" and t.has("channel"):
        p.add((*t.path, "channel"), 'channel only applies to protocol = "polycom"')
    return Speaker(
        name=t.text("name"),
        host=host,
        port=t.integer("port", lo=1, hi=65535),
        codec=t.text("codec", "pcmu", choices=("pcmu", "pcma")),
        protocol=protocol,
        channel=channel,
        name_en=t.text("name_en", ""),
        notes=t.text("notes", "", nonempty=False),
    )


_AUDIO_KEYS = (
    "headset_input",
    "headset_output",
    "radio_input",
    "radio_output",
    "recordings",
    "multicast_ttl",
)


def _audio(root: Table) -> AudioConfig:
    """The optional [audio] table: device names and loudspeaker network settings."""
    t = root.table("audio", _AUDIO_KEYS)
    return AudioConfig(
        headset_input=t.text("headset_input", None),
        headset_output=t.text("headset_output", None),
        radio_input=t.text("radio_input", None),
        radio_output=t.text("radio_output", None),
        recordings=t.text("recordings", "recordings"),
        multicast_ttl=t.integer("multicast_ttl", 1, lo=1, hi=255),
    )


_ROLES = ("operator", "read-only")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _service(root: Table, p: Problems) -> ServiceConfig:
    """The optional [service] table: the remote API (TLS + tokens), off by default."""
    t = root.table("service", ("listen", "tls_cert", "tls_key", "tokens"))
    listen = t.text("listen", None)
    if isinstance(listen, str):
        host, _, port = listen.rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            hint = 'for example listen = "0.0.0.0:7443"'
            p.add(("service", "listen"), f"expected HOST:PORT, got {show(listen)}", hint)
    base = Path(p.source).parent if p.source and not p.source.startswith("<") else Path.cwd()
    cert, key = t.text("tls_cert", None), t.text("tls_key", None)
    if listen and (not cert or not key):
        hint = "remote positions are served over TLS only; local faces use the Unix socket"
        p.add(("service",), "a remote API (listen) needs tls_cert and tls_key", hint)
    tokens: list[ApiToken] = []
    for tok in t.tables("tokens", ("operator", "sha256", "role", "position")):
        digest = tok.text("sha256")
        if isinstance(digest, str) and not _SHA256.match(digest.lower()):
            hint = "run 'dutydesk serve --new-token NAME' and paste the lines it prints"
            p.add((*tok.path, "sha256"), "expected the token's SHA-256 as 64 hex digits", hint)
        tokens.append(
            ApiToken(
                operator=tok.text("operator"),
                sha256=str(digest or "").lower(),
                role=tok.text("role", "operator", choices=_ROLES),
                position=tok.text("position", ""),
            )
        )
    return ServiceConfig(
        listen=listen,
        tls_cert=str(base / cert) if cert else None,
        tls_key=str(base / key) if key else None,
        tokens=tuple(tokens),
    )


_PG_SCHEMES = ("postgresql", "postgres")


def _replication(root: Table, p: Problems, station_name: Any) -> ReplicationConfig:
    """The optional [replication] table: ship the log to a central PostgreSQL."""
    t = root.table("replication", ("url", "station_id", "batch", "interval_s"))
    if not root.has("replication"):
        return ReplicationConfig()
    url = t.text("url")
    if isinstance(url, str) and url.partition("://")[0] not in _PG_SCHEMES:
        hint = 'for example url = "postgresql://station_dh@centre.example/dutydesk"'
        p.add(("replication", "url"), f"expected a postgresql:// URL, got {show(url)}", hint)
    default_id = station_name if isinstance(station_name, str) else ""
    station_id = t.text("station_id", default_id)
    if isinstance(station_id, str) and len(station_id) > 64:
        p.add(("replication", "station_id"), "station_id is longer than 64 characters")
    interval = t.data.get("interval_s", 1.0)
    if (
        isinstance(interval, bool)
        or not isinstance(interval, int | float)
        or not (0.05 <= interval <= 3600)
    ):
        p.add(
            ("replication", "interval_s"),
            f"expected seconds 0.05..3600, got {show(interval)}",
            "for example interval_s = 1.0",
        )
        interval = 1.0
    return ReplicationConfig(
        url=url,
        station_id=station_id or "",
        batch=t.integer("batch", 500, lo=1, hi=10_000) or 500,
        interval_s=float(interval),
    )


def _status_plan(root: Table, p: Problems) -> StatusPlan:
    t = root.table("status_plan", ("emergency", "text_ack_prefixes", "codes"))
    emergency = t.integer("emergency", 0, lo=0, hi=0xFFFF)
    prefixes: list[str] = []
    for path, item in t.array("text_ack_prefixes"):
        if not isinstance(item, str) or not item.strip():
            p.add(path, f"expected a non-empty string, got {show(item)}")
        else:
            prefixes.append(item)
    codes: list[StatusCode] = []
    for c in t.tables("codes", ("code", "meaning", "label", "label_en")):
        code = c.integer("code", lo=0, hi=0xFFFF)
        meaning = c.text("meaning")
        if isinstance(meaning, str) and not _IDENT.match(meaning):
            p.add(
                (*c.path, "meaning"),
                f"meaning must be a word like 'on_scene', got {show(meaning)}",
            )
        if code is not None and code == emergency:
            p.add((*c.path, "code"), f"status {code:#x} is the emergency status")
        for other in codes:
            if code is not None and other.code == code:
                p.add((*c.path, "code"), f"duplicate status code {code:#x}")
            if other.meaning == meaning:
                p.add((*c.path, "meaning"), f"duplicate meaning {show(meaning)}")
        codes.append(StatusCode(code, meaning, c.text("label"), c.text("label_en", "")))
    return StatusPlan(
        codes=tuple(codes) if t.has("codes") else DEFAULT_STATUS_CODES,
        emergency=emergency,
        text_ack_prefixes=tuple(prefixes) if t.has("text_ack_prefixes") else DEFAULT_ACK_PREFIXES,
    )


DEADLINE_KEYS = ("acknowledge_s", "en_route_s", "on_scene_s")
OLD_DEADLINE_KEYS = ("acknowledge_s", "mutual_aid_s", "reinforcement_s")
"""The keys of ``[targets]``, the name ``[deadlines]`` had until December 2026."""


def _deadlines(root: Table) -> Deadlines:
    esc = "escalation"
    t, old = root.renamed_table(
        "deadlines", "targets", (*DEADLINE_KEYS, esc), (*OLD_DEADLINE_KEYS, esc)
    )
    keys = OLD_DEADLINE_KEYS if old else DEADLINE_KEYS
    day = 86_400
    ack, en_route, on_scene = (
        t.integer(key, default, lo=1, hi=day)
        for key, default in zip(keys, (60, 180, 300), strict=True)
    )
    if None not in (ack, en_route, on_scene) and not ack <= en_route <= on_scene:
        t.p.add(
            t.path,
            f"deadlines must not decrease: {ack} s, {en_route} s, {on_scene} s",
            " <= ".join(keys) + " (e.g. 60, 180, 300)",
        )
    e = t.table(esc, ("repage", "repage_limit", "alert_officer", "page_backup"))
    return Deadlines(
        acknowledge_s=ack,
        en_route_s=en_route,
        on_scene_s=on_scene,
        escalation=Escalation(
            repage=e.flag("repage", True),
            repage_limit=e.integer("repage_limit", 2, lo=0, hi=10),
            alert_officer=e.flag("alert_officer", True),
            page_backup=e.flag("page_backup", True),
        ),
    )


def _paging(root: Table) -> PagingConfig:
    t = root.table("paging", ("mode", "followup_s"))
    return PagingConfig(
        mode=t.text("mode", PagingConfig.mode, choices=PAGE_MODES),
        followup_s=t.integer("followup_s", 8, lo=1, hi=600),
    )


def _templates(root: Table, p: Problems) -> tuple[MessageTemplate, ...]:
    out: list[MessageTemplate] = []
    for t in root.tables("templates", ("id", "title", "title_en", "text", "text_en")):
        tid = t.text("id")
        if isinstance(tid, str):
            if not _IDENT.match(tid):
                p.add(
                    (*t.path, "id"),
                    f"template id must be letters, digits, - or _; got {show(tid)}",
                )
            elif any(o.id == tid for o in out):
                p.add((*t.path, "id"), f"duplicate template id {show(tid)}")
        out.append(
            MessageTemplate(
                id=tid,
                title=t.text("title"),
                text=t.text("text"),
                title_en=t.text("title_en", ""),
                text_en=t.text("text_en", ""),
            )
        )
    return tuple(out)


def select_station(args: Any) -> tuple[Station, StationSource]:
    """The station a command line selects (``--config``, ``$DUTYDESK_CONFIG``, the user's
    then the system's config folder, else the demo) and where it was found.

    ``args.config`` is set to the file found, so a service or hand-over a command starts
    is given the same file by name rather than looking again."""
    source = find_station_file(getattr(args, "config", None))
    if source.path is None:
        return demo_station(), source
    if source.origin != "option":
        args.config = str(source.path)
    return load_station(source.path), source


def load_selected_station(args: Any) -> Station:
    """The station a command line selects (see :func:`select_station`)."""
    return select_station(args)[0]


def load_command_station(args: Any) -> Station:
    """:func:`load_selected_station` for a command that pages or drills; it remembers on
    ``args`` whether that is the demo, for :func:`say_if_demo` once the work starts."""
    station, source = select_station(args)
    args.demo_station = source.path is None
    return station


def say_if_demo(args: Any) -> None:
    """Once a command really pages or drills: 演示 / DEMO on stderr if no station file was
    found, so a real desk never silently pages the demo (errors before it stay one line)."""
    if getattr(args, "demo_station", False):
        print(
            "dutydesk: 演示 / DEMO: no station file was found, so this runs on the built-in "
            f"demo station (looked for: {lookup_help()})",
            file=sys.stderr,
        )


def error_lang(args: Any, path: str | PathLike[str] | None = None) -> str:
    """The language to say a mistake in: ``--lang``, else that of the station file the
    command uses (or ``path``) -- read again, as the mistake may be in that very file:
    then its ``[station] language`` if the TOML still parses -- else zh-CN."""
    if getattr(args, "lang", None):
        return normalise_lang(args.lang)
    if path is None:
        try:
            return normalise_lang(select_station(args)[0].language)
        except Exception:  # the mistake is the station file (or where it is)
            with contextlib.suppress(Exception):
                path = find_station_file(getattr(args, "config", None)).path
    language = None
    if path is not None:
        with contextlib.suppress(Exception):
            doc = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
            language = doc.get("station", {}).get("language")
    return normalise_lang(language if isinstance(language, str) else None)
