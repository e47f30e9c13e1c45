"""Who can be paged: units (one radio each) and groups, and the ad-hoc ones made from raw
numbers.

Apart from :mod:`console.config.model` so that :mod:`console.config.lookup`, which turns
typed text into these, needs nothing from the station module at run time (no cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SSI_MIN = 1
SSI_MAX = 0xFFFFFF  # TETRA short subscriber identities are 24 bits


@dataclass(frozen=True)
class Unit:
    """One radio subscriber: an emergency unit's handheld or a patrol team."""

    issi: int
    alias: str
    kind: str
    name_en: str = ""
    contact: str = ""
    notes: str = ""
    backup: int | None = None
    groups: tuple[str, ...] = ()
    configured: bool = True
    """False for an ad-hoc unit made from a raw ISSI that is not in the station file."""

    def display_name(self, lang: str = "zh-CN") -> str:
        """Alias in the officer's language (English name only if one is configured)."""
        return self.name_en if lang == "en" and self.name_en else self.alias


@dataclass(frozen=True)
class Group:
    """A talkgroup (has a GSSI, paged with one group call) or a console-side list."""

    name: str
    kind: Literal["talkgroup", "list"]
    gssi: int | None
    members: tuple[int, ...] = ()
    name_en: str = ""
    configured: bool = True

    @property
    def is_talkgroup(self) -> bool:
        return self.gssi is not None

    def display_name(self, lang: str = "zh-CN") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


UnitOrGroup = Unit | Group
"""What an officer names when paging or calling the roll: a unit or a group of them."""


def adhoc_unit(issi: int) -> Unit:
    """A unit for a raw ISSI the station file does not list (technician's bench test)."""
    return Unit(issi=issi, alias=str(issi), kind="other", configured=False)


def adhoc_group(gssi: int) -> Group:
    """A talkgroup for a raw GSSI the station file does not list."""
    return Group(name=str(gssi), kind="talkgroup", gssi=gssi, configured=False)
