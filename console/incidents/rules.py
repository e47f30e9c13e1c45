"""Which radio traffic is an alarm: a small rule table (data, not code).

Emergencies are fixed by the standard (status value 0, a call at emergency priority).
Detector alerts are not: each vendor's smart smoke detector sends its own SDS text.  So
text alarms are rows of :class:`TextRule` -- prefixes and/or a regular expression, and
optionally the ISSIs of the detectors allowed to raise them -- that a station can extend
from its config (:meth:`AlarmRules.from_mapping`) without touching code.

Matching errs towards raising: a missed smoke alarm costs more than a false one, so when no
detector ISSIs are configured a matching text from any radio raises the alarm.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from console.incidents.errors import BadIncidentValueError

DEFAULT_REMINDER_S: Final = 10.0
EMERGENCY_KIND: Final = "emergency"


@dataclass(frozen=True)
class TextRule:
    """SDS texts that raise an alarm of ``kind``.

    A text matches if, after leading blanks, it starts with one of ``prefixes``
    (case-insensitive) or ``pattern`` finds a match anywhere.  ``senders`` limits the rule
    to those ISSIs; ``None`` defers to :attr:`AlarmRules.detector_issis`.
    """

    name: str
    kind: str
    prefixes: tuple[str, ...] = ()
    pattern: str | None = None
    senders: frozenset[str] | None = None
    label: str = ""
    label_en: str = ""

    def __post_init__(self) -> None:
        if not self.prefixes and not self.pattern:
            raise BadIncidentValueError(
                f"alarm rule {self.name!r} has neither prefixes nor a pattern",
                hint="Give the rule at least one text prefix or a regular expression.",
            )
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise BadIncidentValueError(
                    f"alarm rule {self.name!r}: bad regular expression {self.pattern!r}: {exc}",
                    hint="Fix the pattern (Python re syntax).",
                ) from None

    def matches_text(self, text: str) -> bool:
        cleaned = text.lstrip().casefold()
        if any(p and cleaned.startswith(p.casefold()) for p in self.prefixes):
            return True
        return self.pattern is not None and re.search(self.pattern, text, re.IGNORECASE) is not None


DEFAULT_TEXT_RULES: Final[tuple[TextRule, ...]] = (
    TextRule(
        "smoke",
        "smoke",
        prefixes=("烟感", "烟雾报警", "SMOKE"),
        label="烟感告警",
        label_en="Smoke alarm",
    ),
    TextRule(
        "fire",
        "fire",
        prefixes=("FIRE ALARM", "火警", "火灾报警"),
        label="火警",
        label_en="Fire alarm",
    ),
)


@dataclass(frozen=True)
class AlarmRules:
    """Everything that decides what becomes an alarm, and how loudly it insists."""

    text_rules: tuple[TextRule, ...] = DEFAULT_TEXT_RULES
    detector_issis: frozenset[str] | None = None
    """ISSIs of the smoke detectors; ``None`` = no list configured, accept any sender."""
    emergency_status: int = 0
    reminder_s: float = DEFAULT_REMINDER_S
    emergency_label: str = "紧急告警"
    emergency_label_en: str = "Emergency"

    def __post_init__(self) -> None:
        if not self.reminder_s > 0:
            raise BadIncidentValueError(
                f"alarm reminder interval must be positive, got {self.reminder_s}",
                hint="Use a number of seconds such as 10.",
            )

    def match_text(self, sender: str, text: str) -> TextRule | None:
        """The first rule this text from ``sender`` satisfies, or None."""
        for rule in self.text_rules:
            allowed = rule.senders if rule.senders is not None else self.detector_issis
            if allowed is not None and sender not in allowed:
                continue
            if rule.matches_text(text):
                return rule
        return None

    def label_for(self, kind: str, lang: str = "zh-CN") -> str:
        if kind == EMERGENCY_KIND:
            return self.emergency_label_en if lang == "en" else self.emergency_label
        for rule in self.text_rules:
            if rule.kind == kind and rule.label:
                return (rule.label_en or rule.label) if lang == "en" else rule.label
        return kind

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> AlarmRules:
        """Build from a config table such as::

            [alarms]
            reminder_s = 10
            detectors = [3100001, 3100002]
            [[alarms.rules]]
            name = "smoke"; kind = "smoke"; prefixes = ["烟感", "SMOKE"]
            pattern = "ALARM\\s+ZONE\\s*\\d+"

        Without ``rules`` the defaults apply; ``extend_defaults = true`` adds to them.
        """
        rules: tuple[TextRule, ...] = DEFAULT_TEXT_RULES
        if "rules" in raw:
            parsed = tuple(_rule(r) for r in _list(raw["rules"], "alarms.rules"))
            rules = (*DEFAULT_TEXT_RULES, *parsed) if raw.get("extend_defaults") else parsed
        detectors = raw.get("detectors")
        return cls(
            text_rules=rules,
            detector_issis=None if detectors is None else _issis(detectors),
            emergency_status=int(raw.get("emergency_status", 0)),
            reminder_s=float(raw.get("reminder_s", DEFAULT_REMINDER_S)),
        )


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadIncidentValueError(f"{where}: expected a list", hint="Write it as [ ... ].")
    return value


def _issis(values: object) -> frozenset[str]:
    return frozenset(str(int(v)) for v in _list(values, "detectors"))


def _rule(raw: object) -> TextRule:
    if not isinstance(raw, Mapping):
        raise BadIncidentValueError("alarms.rules: each rule must be a table")
    name = str(raw.get("name", ""))
    prefixes: Iterable[Any] = raw.get("prefixes", ())
    senders = raw.get("senders")
    return TextRule(
        name=name,
        kind=str(raw.get("kind", name or "alert")),
        prefixes=tuple(str(p) for p in prefixes),
        pattern=None if raw.get("pattern") is None else str(raw["pattern"]),
        senders=None if senders is None else _issis(senders),
        label=str(raw.get("label", "")),
        label_en=str(raw.get("label_en", "")),
    )
