"""The station: who can be paged, over which gateway, and what counts as an answer.

Everything is a frozen dataclass of plain values (ints, strings, tuples) so a loaded
station can be shared between the UI, the engines and worker threads without locks, and
so drills can derive variants with :func:`dataclasses.replace` instead of mutating.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from console.config.lookup import lookup as lookup_name
from console.config.recipients import (
    SSI_MAX,
    SSI_MIN,
    Group,
    Unit,
    UnitOrGroup,
    adhoc_group,
    adhoc_unit,
)
from console.deadlines import Deadlines
from console.i18n import t

__all__ = ["SSI_MAX", "SSI_MIN", "Group", "Unit", "UnitOrGroup", "adhoc_group", "adhoc_unit"]

Language = Literal["zh-CN", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-CN", "en")

UNIT_KINDS: tuple[str, ...] = (
    "school",
    "enterprise",
    "hospital",
    "bank",
    "community",
    "patrol",
    "fire",
    "government",
    "transport",
    "market",
    "other",
)
"""Kinds of unit a station may list; ``patrol`` are police teams, the rest are the
minimum emergency units (最小应急单元) of the area."""

STATUS_MEANINGS: tuple[str, ...] = (
    "acknowledged",
    "en_route",
    "on_scene",
    "done",
    "backup_requested",
)
"""Meanings the engines understand; a station may add its own on top."""


SIM_SCHEME = "sim"


def is_simulated(url: str) -> bool:
    """``sim://NAME`` (or the drill shorthand ``sim``) names the built-in simulator: the
    one test of "is this the simulator" in the house."""
    return url == SIM_SCHEME or url.startswith(f"{SIM_SCHEME}://")


@dataclass(frozen=True)
class GatewayConfig:
    """How to reach the trunking gateway (a pyserial-style URL or ``sim://`` for the fake)."""

    url: str
    baud: int = 115200
    dialect: str = "etsi"
    issi: int | None = None

    @property
    def is_simulated(self) -> bool:
        """``sim://...`` means: start the built-in simulator and connect to it."""
        return is_simulated(self.url)


@dataclass(frozen=True)
class Speaker:
    """One IP loudspeaker (or one multicast address that several speakers listen to)."""

    name: str
    host: str
    port: int
    codec: Literal["pcmu", "pcma"] = "pcmu"
    protocol: Literal["rtp", "polycom"] = "rtp"
    channel: int | None = None
    """Polycom group-paging channel (1..50); unused for plain RTP."""
    name_en: str = ""
    notes: str = ""

    @property
    def is_multicast(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_multicast
        except ValueError:
            return False


@dataclass(frozen=True)
class Zone:
    """A set of loudspeakers shouted to together (e.g. the 9 riverside spots)."""

    id: str
    name: str
    name_en: str = ""
    speakers: tuple[Speaker, ...] = ()
    multicast_allowed: bool = False
    """Whether speakers in this zone may be multicast addresses (a network decision)."""

    def display_name(self, lang: str = "zh-CN") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class ApiToken:
    """One operator's token for remote positions (``[[service.tokens]]``).

    Only the SHA-256 of the token is kept in the station file, so the file can be read by
    the technician without handing out the desk: ``dutydesk serve --new-token`` prints a
    token and the line to paste here.
    """

    operator: str
    sha256: str
    role: str = "operator"
    """``operator`` (may page and act) or ``read-only`` (sees everything, acts on nothing)."""
    position: str = ""


@dataclass(frozen=True)
class ServiceConfig:
    """The station service's remote API (``[service]``); off unless ``listen`` is set.

    Local faces always use the owner-only Unix socket; TCP is for other positions (the
    commander's desk, the report office) and requires TLS and a token per operator.
    """

    listen: str | None = None
    """``HOST:PORT`` to serve the API on with TLS (e.g. ``0.0.0.0:7443``)."""
    tls_cert: str | None = None
    tls_key: str | None = None
    tokens: tuple[ApiToken, ...] = ()


@dataclass(frozen=True)
class ReplicationConfig:
    """Shipping the event log to a central PostgreSQL (``[replication]``, issue 11).

    Off unless ``url`` is set.  The SQLite log stays the station's record: the shipper
    reads it after the last event the centre has, so an outage only grows a backlog.
    """

    url: str | None = None
    """``postgresql://ROLE@HOST/DB``: the station's own role (may insert only its rows)."""
    station_id: str = ""
    """The station's key in the central ``events`` table; empty = the station's name."""
    batch: int = 500
    """Events per INSERT transaction."""
    interval_s: float = 1.0
    """Seconds between looks at the log when idle (a commit also wakes the shipper)."""

    @property
    def enabled(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True)
class AudioConfig:
    """Sound devices (by PortAudio name) and loudspeaker network settings.

    Every field is optional: a station without an ``[audio]`` table still pages and
    broadcasts tones; the voice path then reports "no sound device configured".
    """

    headset_input: str | None = None
    """The duty officer's headset microphone."""
    headset_output: str | None = None
    """The duty officer's headset earpiece (received radio audio, replays)."""
    radio_input: str | None = None
    """Sound-card input wired to the gateway's audio output (what the radios say)."""
    radio_output: str | None = None
    """Sound-card output wired to the gateway's audio input (what the officer says)."""
    recordings: str = "recordings"
    """Folder for one WAV per received transmission (relative: to the working folder)."""
    multicast_ttl: int = 1
    """IP TTL for multicast loudspeaker streams; 1 keeps them on the local network."""


@dataclass(frozen=True)
class StatusCode:
    """A pre-coded TETRA status value and what it means at this station."""

    code: int
    meaning: str
    label: str
    label_en: str = ""


DEFAULT_STATUS_CODES: tuple[StatusCode, ...] = (
    StatusCode(0x8002, "acknowledged", "收到", "Acknowledged"),
    StatusCode(0x8003, "en_route", "出发", "En route"),
    StatusCode(0x8004, "on_scene", "到场", "On scene"),
    StatusCode(0x8005, "done", "完毕", "Done"),
    StatusCode(0x8006, "backup_requested", "请求支援", "Backup requested"),
)
DEFAULT_ACK_PREFIXES: tuple[str, ...] = ("收到", "到", "OK", "1")


@dataclass(frozen=True)
class StatusPlan:
    """Maps status numbers and text replies to rungs of the acknowledgement ladder."""

    codes: tuple[StatusCode, ...] = DEFAULT_STATUS_CODES
    emergency: int = 0
    text_ack_prefixes: tuple[str, ...] = DEFAULT_ACK_PREFIXES

    def meaning_of(self, code: int) -> str | None:
        """``"emergency"``, a configured meaning, or ``None`` for an unknown status."""
        if code == self.emergency:
            return "emergency"
        for status in self.codes:
            if status.code == code:
                return status.meaning
        return None

    def label_of(self, code: int, lang: str = "zh-CN") -> str:
        """What the station calls status ``code`` (``到场``, ``紧急``); empty if unplanned."""
        if code == self.emergency:
            return t("log.status.emergency", lang)
        for status in self.codes:
            if status.code == code:
                return status.label_en if lang == "en" and status.label_en else status.label
        return ""

    def code_for(self, meaning: str) -> int | None:
        for status in self.codes:
            if status.meaning == meaning:
                return status.code
        return None

    def is_ack_text(self, text: str) -> bool:
        """A text reply counts as "acknowledged" if it starts with a configured prefix.

        Case-insensitive and ignores leading blanks, because people type "ok" and " 收到".
        """
        cleaned = text.strip().casefold()
        return any(cleaned.startswith(p.casefold()) for p in self.text_ack_prefixes if p)


PAGE_MODES = ("fast", "individual")
"""How a page alerts: ``fast`` (the default) alerts each named talkgroup with one group
SDS and follows up its silent members one by one; ``individual`` sends one SDS-TL per
unit from the start.  Units named on their own are paged individually in both modes, so
``fast`` is fast exactly where the station's talkgroups cover the responders."""


@dataclass(frozen=True)
class PagingConfig:
    """How the station pages by default (``[paging]``)."""

    mode: str = PAGE_MODES[0]
    """``fast``: one group SDS per named talkgroup, then an individual SDS-TL to members
    still silent after ``followup_s``; ``individual``: one SDS-TL per unit."""
    followup_s: int = 8


@dataclass(frozen=True)
class MessageTemplate:
    """A ready-made text the officer can send in two keystrokes."""

    id: str
    title: str
    text: str
    title_en: str = ""
    text_en: str = ""

    def display_title(self, lang: str = "zh-CN") -> str:
        return self.title_en if lang == "en" and self.title_en else self.title


@dataclass(frozen=True)
class Station:
    """A whole station file, validated and cross-referenced."""

    name: str
    gateway: GatewayConfig
    name_en: str = ""
    operator: str = "值班民警"
    language: Language = "zh-CN"
    units: tuple[Unit, ...] = ()
    groups: tuple[Group, ...] = ()
    zones: tuple[Zone, ...] = ()
    status_plan: StatusPlan = field(default_factory=StatusPlan)
    deadlines: Deadlines = field(default_factory=Deadlines)
    paging: PagingConfig = field(default_factory=PagingConfig)
    templates: tuple[MessageTemplate, ...] = ()
    source: str = "<memory>"
    audio: AudioConfig = field(default_factory=AudioConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    replication: ReplicationConfig = field(default_factory=ReplicationConfig)

    def display_name(self, lang: str = "zh-CN") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name

    # -- indexes (built once; the dataclass is frozen so they never go stale) --------
    @cached_property
    def _units_by_issi(self) -> dict[int, Unit]:
        return {u.issi: u for u in self.units}

    @cached_property
    def _groups_by_name(self) -> dict[str, Group]:
        return {g.name: g for g in self.groups}

    @property
    def emergency_units(self) -> tuple[Unit, ...]:
        """The minimum emergency units: every unit that is not a police patrol."""
        return tuple(u for u in self.units if u.kind != "patrol")

    @property
    def patrols(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.kind == "patrol")

    def unit(self, issi: int) -> Unit | None:
        return self._units_by_issi.get(issi)

    def group(self, name_or_gssi: str | int) -> Group | None:
        if isinstance(name_or_gssi, int):
            return next((g for g in self.groups if g.gssi == name_or_gssi), None)
        return self._groups_by_name.get(name_or_gssi)

    def zone(self, zone_id: str) -> Zone | None:
        return next((z for z in self.zones if z.id == zone_id), None)

    def template(self, template_id: str) -> MessageTemplate | None:
        return next((t for t in self.templates if t.id == template_id), None)

    def members_of(self, group: Group) -> tuple[Unit, ...]:
        """Units of ``group``; members not in the station file become ad-hoc units."""
        return tuple(self.unit(i) or adhoc_unit(i) for i in group.members)

    def lookup(self, token: str) -> list[UnitOrGroup]:
        """Turn what the officer typed into units/groups; see :mod:`console.config.lookup`."""
        return lookup_name(self, token)

    def lookup_all(self, tokens: list[str]) -> list[UnitOrGroup]:
        """Resolve several tokens, keeping order and dropping repeats."""
        out: list[UnitOrGroup] = []
        for token in tokens:
            for target in self.lookup(token):
                if target not in out:
                    out.append(target)
        return out
