"""Dialects as data: everything that differs between gateways lives in a TOML table.

A vendor's gateway that speaks "PEI with different field positions" is a new file in
``drivers/pei/dialects/`` (or a file the technician points to), never a fork of the parser.
A dialect may ``inherit`` another and override only what differs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from drivers.errors import DialectError

URC_EVENTS = frozenset(
    {
        "incoming_call",
        "call_progress",
        "call_connected",
        "tx_granted",
        "tx_ceased",
        "call_released",
        "sds_header",
        "sds_status",
        "mode_changed",
        "group_changed",
        "registration",
        "other",
    }
)


@dataclass(frozen=True)
class UrcLayout:
    """How one unsolicited result code is laid out: which event, which named fields."""

    name: str
    event: str
    fields: tuple[str, ...]
    min_fields: int = 0


@dataclass(frozen=True)
class Dialect:
    """One gateway dialect: line discipline, init sequence, command forms, URC layouts."""

    name: str
    description: str
    baud: int
    line_ending: bytes
    command_timeout: float
    keepalive_interval: float
    init: tuple[str, ...]
    sds_text_params: str
    sds_status_params: str
    group_call_params: str
    emergency_call_params: str
    ptt_priority: int
    urcs: dict[str, UrcLayout] = field(hash=False)

    def urc(self, name: str) -> UrcLayout | None:
        return self.urcs.get(name.upper())


_KEYS = {
    "name",
    "description",
    "inherits",
    "baud",
    "line_ending",
    "command_timeout",
    "keepalive_interval",
    "init",
    "sds_text_params",
    "sds_status_params",
    "group_call_params",
    "emergency_call_params",
    "ptt_priority",
    "urc",
}


def _builtin_text(name: str) -> str | None:
    try:
        return (resources.files("drivers.pei") / "dialects" / f"{name}.toml").read_text("utf-8")
    except (FileNotFoundError, OSError):
        return None


def builtin_dialects() -> list[str]:
    """Names of the dialect tables shipped with dutydesk."""
    folder = resources.files("drivers.pei") / "dialects"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _raw(name_or_path: str, seen: tuple[str, ...]) -> dict[str, Any]:
    if name_or_path in seen:
        raise DialectError(f"dialect inheritance loops: {' -> '.join((*seen, name_or_path))}")
    text = _builtin_text(name_or_path)
    source = f"dialect '{name_or_path}'"
    if text is None:
        path = Path(name_or_path)
        if not path.is_file():
            raise DialectError(
                f"unknown dialect '{name_or_path}'",
                hint=f"Use one of {', '.join(builtin_dialects())} or the path of a dialect file.",
            )
        source = str(path)
        text = path.read_text("utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DialectError(f"{source}: {exc}") from None
    unknown = set(data) - _KEYS
    if unknown:
        raise DialectError(f"{source}: unknown keys {sorted(unknown)}")
    parent = data.get("inherits")
    if parent:
        base = _raw(str(parent), (*seen, name_or_path))
        urcs = dict(base.get("urc", {}))
        urcs.update(data.get("urc", {}))
        merged = {**base, **data, "urc": urcs}
        return merged
    return data


def load_dialect(name_or_path: str = "etsi") -> Dialect:
    """Load a built-in dialect by name, or a dialect file by path."""
    data = _raw(name_or_path, ())
    try:
        urcs: dict[str, UrcLayout] = {}
        for urc_name, spec in data.get("urc", {}).items():
            event = str(spec["event"])
            if event not in URC_EVENTS:
                raise DialectError(f"dialect {name_or_path}: urc {urc_name}: unknown event {event}")
            urcs[urc_name.upper()] = UrcLayout(
                name=urc_name.upper(),
                event=event,
                fields=tuple(str(f) for f in spec.get("fields", ())),
                min_fields=int(spec.get("min_fields", 0)),
            )
        ending = str(data["line_ending"]).encode("ascii")
        if ending not in (b"\r", b"\n", b"\r\n"):
            raise DialectError(f"dialect {name_or_path}: line_ending must be CR, LF or CRLF")
        init = tuple(str(c) for c in data.get("init", ()))
        if any(c.strip().upper() == "ATZ" for c in init):
            raise DialectError(
                f"dialect {name_or_path}: ATZ in the init sequence",
                hint="ATZ can reboot a radio (Sepura); remove it from the init list.",
            )
        return Dialect(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            baud=int(data["baud"]),
            line_ending=ending,
            command_timeout=float(data["command_timeout"]),
            keepalive_interval=float(data["keepalive_interval"]),
            init=init,
            sds_text_params=str(data["sds_text_params"]),
            sds_status_params=str(data["sds_status_params"]),
            group_call_params=str(data["group_call_params"]),
            emergency_call_params=str(data["emergency_call_params"]),
            ptt_priority=int(data["ptt_priority"]),
            urcs=urcs,
        )
    except KeyError as exc:
        raise DialectError(f"dialect {name_or_path}: missing key {exc.args[0]}") from None
    except (TypeError, ValueError) as exc:
        raise DialectError(f"dialect {name_or_path}: {exc}") from None


ETSI = load_dialect("etsi")
