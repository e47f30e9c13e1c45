"""The live view on the wire: the engines' frozen values, tagged, and back again.

:mod:`console.service.codec` writes plain JSON for any client (a browser, ``curl``); this
module writes the same values so that a Python face (the TUI attached to the service)
gets back *the same types* the engines built -- a ``PageView`` with its ``Rung`` enums
and ``ResponderView`` tuples, an ``Alarm``, an ``Incident`` -- and the screens render a
remote station with the code that renders a local one.

Every dataclass carries its class as ``"$t"``; only classes of the station's own view
(:data:`ROOTS` and what their fields name) are accepted when reading, so a message
cannot make the client build anything else.  Field types come from the classes' own
annotations: a new field travels without a second description of it here.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import types
import typing
from collections.abc import Iterable
from typing import Any

from console.i18n import Phrase

TAG = "$t"
PHRASE = "$phrase"
"""A :class:`~console.i18n.Phrase` (an error's words, a device problem): its English,
key and values, so the attached console says it in its own language."""


class WireError(ValueError):
    """A live message the client cannot read (another version of dutydesk?)."""


def to_wire(value: Any, *, _depth: int = 0) -> Any:
    """A JSON-ready copy of ``value`` that :func:`from_wire` turns back into it."""
    if _depth > 40:
        raise WireError("value nested too deep")
    if isinstance(value, Phrase):  # said again in the console's language
        return {PHRASE: value.data()}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {TAG: _name(type(value))}
        for f in dataclasses.fields(value):
            if f.init:
                out[f.name] = to_wire(getattr(value, f.name), _depth=_depth + 1)
        return out
    if isinstance(value, dict):
        return {"$map": [[to_wire(k), to_wire(v, _depth=_depth + 1)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return [to_wire(v, _depth=_depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        return [to_wire(v, _depth=_depth + 1) for v in sorted(value, key=repr)]
    raise WireError(f"cannot send a {type(value).__name__} on the live stream")


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class Registry:
    """The dataclasses a client accepts, found from the roots through their field types."""

    def __init__(self, roots: Iterable[type]) -> None:
        self.classes: dict[str, type] = {}
        self.hints: dict[type, dict[str, Any]] = {}
        for root in roots:
            self._add(root)

    def _add(self, cls: Any) -> None:
        for inner in _types_in(cls):
            if dataclasses.is_dataclass(inner) and isinstance(inner, type):
                if _name(inner) in self.classes:
                    continue
                self.classes[_name(inner)] = inner
                hints = typing.get_type_hints(inner)
                self.hints[inner] = hints
                for f in dataclasses.fields(inner):
                    if f.init:
                        self._add(hints[f.name])

    def decode(self, value: Any, hint: Any = Any) -> Any:
        """``value`` (from :func:`to_wire`) as the type ``hint`` names."""
        try:
            return self._decode(value, hint)
        except WireError:
            raise
        except (TypeError, ValueError, KeyError) as exc:
            raise WireError(f"unreadable live message: {exc}") from exc

    def _decode(self, value: Any, hint: Any) -> Any:
        if isinstance(value, dict) and PHRASE in value:
            return Phrase.from_data(value[PHRASE])
        if isinstance(value, dict) and TAG in value:
            cls = self.classes.get(value[TAG])
            if cls is None:
                raise WireError(f"unknown type {value[TAG]!r} on the live stream")
            hints = self.hints[cls]
            kwargs = {
                f.name: self._decode(value[f.name], hints[f.name])
                for f in dataclasses.fields(cls)
                if f.init and f.name in value
            }
            return cls(**kwargs)
        if isinstance(value, dict) and "$map" in value:
            key_hint, val_hint = _mapping_args(hint)
            return {
                _hashable(self._decode(k, key_hint)): self._decode(v, val_hint)
                for k, v in value["$map"]
            }
        if value is None:
            return None
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            for arg in args:
                if arg is type(None):
                    continue
                if isinstance(arg, type) and issubclass(arg, enum.Enum):
                    try:
                        return arg(value)
                    except ValueError:
                        continue
                if _accepts(arg, value):
                    return self._decode(value, arg)
            return value
        if isinstance(value, list):
            if origin is tuple:
                if len(args) == 2 and args[1] is Ellipsis:
                    return tuple(self._decode(v, args[0]) for v in value)
                if args:
                    return tuple(self._decode(v, a) for v, a in zip(value, args, strict=False))
                return tuple(self._decode(v, Any) for v in value)
            if origin in (frozenset, set):
                inner = args[0] if args else Any
                items = (self._decode(v, inner) for v in value)
                return frozenset(items) if origin is frozenset else set(items)
            inner = args[0] if origin is list and args else Any
            items_list = [self._decode(v, inner) for v in value]
            return items_list if origin is list else tuple(items_list)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return hint(value)
        if hint is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _mapping_args(hint: Any) -> tuple[Any, Any]:
    args = typing.get_args(hint)
    if typing.get_origin(hint) is dict and len(args) == 2:
        return args[0], args[1]
    return Any, Any


def _accepts(arg: Any, value: Any) -> bool:
    """Could ``value`` (not a tagged object) be an ``arg``?  For picking a union's member."""
    origin = typing.get_origin(arg) or arg
    if isinstance(value, list):
        return origin in (tuple, list, set, frozenset)
    if origin is typing.Literal:
        return value in typing.get_args(arg)
    if isinstance(origin, type):
        if origin is float:
            return isinstance(value, int | float) and not isinstance(value, bool)
        return isinstance(value, origin)
    return True


def _types_in(hint: Any) -> Iterable[Any]:
    """``hint`` and every type named inside it (``tuple[X, ...]``, ``X | None`` ...)."""
    yield hint
    for arg in typing.get_args(hint):
        if arg is not Ellipsis and not isinstance(arg, str | int | bool):
            yield from _types_in(arg)
