"""The one error hierarchy of the ``console`` package.

Every error a user can cause (a bad station file, an unknown unit, a missing simulator)
is a :class:`ConsoleError` carrying a ``hint``: one sentence the duty officer or the
radio technician can act on.  The CLI prints ``str(err)`` and exits 2; nobody ever needs
a traceback to understand what went wrong.
"""

from __future__ import annotations

from collections.abc import Sequence


class ConsoleError(Exception):
    """Base of every error the console raises for a user mistake or a missing resource."""

    default_hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message


class ConfigError(ConsoleError):
    """A station file (or another config file) is wrong; names file, line and field.

    ``str()`` reads like a compiler message so editors can jump to it::

        station.toml:42: units[3].issi: expected an integer 1..16777215, got "abc" (hint: ...)

    When the loader found several problems, the first is this error and the rest are in
    :attr:`others`, so ``config check`` can list them all in one pass.
    """

    default_hint = "Fix the station file; docs/station-config.md describes every field."

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        others: Sequence[ConfigError] = (),
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.line = line
        self.field = field
        self.others: tuple[ConfigError, ...] = tuple(others)

    @property
    def location(self) -> str:
        """``file:line: field`` prefix (the parts that are known)."""
        parts: list[str] = []
        if self.path is not None:
            parts.append(self.path if self.line is None else f"{self.path}:{self.line}")
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def describe(self) -> str:
        """This one problem, without the count of other problems."""
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} (hint: {self.hint})" if self.hint else text

    def __str__(self) -> str:
        text = self.describe()
        if self.others:
            more = len(self.others)
            text += f" (and {more} more problem{'s' if more != 1 else ''})"
        return text

    @property
    def all_problems(self) -> tuple[ConfigError, ...]:
        """This problem followed by every other one found in the same file."""
        return (self, *self.others)


class UnknownNameError(ConsoleError):
    """A name typed for a page or roll call is no unit, group or number of the station."""

    default_hint = "Use a unit alias, a group name, or a raw ISSI/GSSI number."

    def __init__(self, token: str, suggestions: Sequence[str] = ()) -> None:
        self.token = token
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        message = f"unknown unit or group {token!r}"
        if self.suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


class SimulatorUnavailable(ConsoleError):
    """The simulated gateway (the ``fakes`` package) is not installed or failed to start."""

    default_hint = (
        "Install the project with its simulator (pip install -e .) or pass --config with a "
        "real gateway url."
    )
