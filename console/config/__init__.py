"""Station configuration: the TOML file describing units, groups, zones and targets.

Import from here; the sub-modules are an implementation detail.
"""

from __future__ import annotations

from console.config.loader import demo_station, load_station, load_station_text
from console.config.model import (
    LANGUAGES,
    SSI_MAX,
    SSI_MIN,
    STATUS_MEANINGS,
    UNIT_KINDS,
    ApiToken,
    AudioConfig,
    GatewayConfig,
    Group,
    Language,
    MessageTemplate,
    ReplicationConfig,
    ServiceConfig,
    Speaker,
    Station,
    StatusCode,
    StatusPlan,
    Unit,
    UnitOrGroup,
    Zone,
    adhoc_group,
    adhoc_unit,
    is_simulated,
)
from console.deadlines import Deadlines, Escalation
from console.errors import ConfigError, UnknownNameError

__all__ = [
    "LANGUAGES",
    "SSI_MAX",
    "SSI_MIN",
    "STATUS_MEANINGS",
    "UNIT_KINDS",
    "ApiToken",
    "AudioConfig",
    "ConfigError",
    "Deadlines",
    "Escalation",
    "GatewayConfig",
    "Group",
    "Language",
    "MessageTemplate",
    "ReplicationConfig",
    "ServiceConfig",
    "Speaker",
    "Station",
    "StatusCode",
    "StatusPlan",
    "Unit",
    "UnitOrGroup",
    "UnknownNameError",
    "Zone",
    "adhoc_group",
    "adhoc_unit",
    "demo_station",
    "is_simulated",
    "load_station",
    "load_station_text",
]
