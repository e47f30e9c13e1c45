"""Resolve what an officer or technician types into the units and groups it names.

Accepted tokens, in order of precedence:

* ``issi:1001`` / ``gssi:9001`` (also ``i:`` / ``g:``) -- an explicit raw number;
* a bare number such as ``1001`` -- the configured unit or talkgroup with that SSI, or
  an ad-hoc unit so a technician can page radios that are in no station file;
* a unit alias (``星海实验小学保安队``), a unit's English name, a group name or its
  English name (English names case-insensitively).

Unknown tokens raise :class:`~console.errors.UnknownNameError` with close matches,
because under stress people mistype and need the right name offered back.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from console.config.recipients import SSI_MAX, SSI_MIN, UnitOrGroup, adhoc_group, adhoc_unit
from console.errors import ConsoleError, UnknownNameError

if TYPE_CHECKING:
    from console.config.model import Station

_UNIT_PREFIXES = ("issi:", "i:")
_GROUP_PREFIXES = ("gssi:", "g:")


def _parse_ssi(text: str, token: str) -> int:
    if not text.isdigit():
        raise UnknownNameError(token)
    value = int(text)
    if not SSI_MIN <= value <= SSI_MAX:
        raise ConsoleError(
            f"{token!r} is not a valid radio number",
            hint=f"ISSI/GSSI numbers are {SSI_MIN}..{SSI_MAX}.",
        )
    return value


def lookup(station: Station, token: str) -> list[UnitOrGroup]:
    """Return the unit(s)/group(s) that ``token`` names (never an empty list)."""
    token = token.strip()
    if not token:
        raise UnknownNameError(token)
    lowered = token.casefold()
    for prefix in _UNIT_PREFIXES:
        if lowered.startswith(prefix):
            issi = _parse_ssi(token[len(prefix) :].strip(), token)
            return [station.unit(issi) or adhoc_unit(issi)]
    for prefix in _GROUP_PREFIXES:
        if lowered.startswith(prefix):
            gssi = _parse_ssi(token[len(prefix) :].strip(), token)
            return [station.group(gssi) or adhoc_group(gssi)]
    if token.isdigit():
        number = _parse_ssi(token, token)
        unit = station.unit(number)
        if unit is not None:
            return [unit]
        group = station.group(number)
        return [group if group is not None else adhoc_unit(number)]

    for unit in station.units:
        if token == unit.alias or (unit.name_en and lowered == unit.name_en.casefold()):
            return [unit]
    for grp in station.groups:
        if token == grp.name or (grp.name_en and lowered == grp.name_en.casefold()):
            return [grp]
    raise UnknownNameError(token, suggest(station, token))


def suggest(station: Station, token: str, limit: int = 5) -> list[str]:
    """Names close to ``token``: substrings first (good for Chinese), then fuzzy matches."""
    names: list[str] = []
    for unit in station.units:
        names += [unit.alias] + ([unit.name_en] if unit.name_en else [])
    for grp in station.groups:
        names += [grp.name] + ([grp.name_en] if grp.name_en else [])
    lowered = token.casefold()
    found = [n for n in names if lowered in n.casefold()]
    folded = {n.casefold(): n for n in names}
    for match in difflib.get_close_matches(lowered, list(folded), n=limit, cutoff=0.5):
        if folded[match] not in found:
            found.append(folded[match])
    return found[:limit]
