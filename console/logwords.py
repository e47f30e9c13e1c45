"""An event-log record in the officer's words: what happened, and its detail.

The log keeps codes (``wire.sds_in``, ``32772``, ``TxGranted``, an engine's English
detail for the technician); a Chinese desk must not show them.  This is the one place
that says a record in zh-CN or English, from the shared vocabulary
(:mod:`console.i18n`): the main screen's log tail, the F7 log screen and an incident's
timeline all read their rows from here (the timeline words a few kinds of its own).

Wire rows (``wire.*``: the bytes and calls the gateway reported) are the technician's:
:data:`TECHNICAL_FAMILIES` is what the main log tail hides unless asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from console.config.model import StatusPlan
from console.deadlines import DeadlineKind
from console.i18n import phrase_or, say, t
from console.paging.model import AnswerMethod, FailureCause, Rung

FAMILIES: Final = (
    "wire", "page", "ladder", "escalation", "incident", "alarm", "operator", "rollcall",
    "drill", "broadcast", "log", "voice", "service",
)  # fmt: skip
"""The log's families, in the order the log screen offers them as a filter."""
TECHNICAL_FAMILIES: Final = frozenset({"wire"})
"""Families of the technician's rows (hidden from the main log tail by default)."""
SUMMARY_FIELDS: Final = ("text", "title", "state", "action", "value", "note", "detail", "event")
DEFAULT_PLAN: Final = StatusPlan()


def summary(data: Mapping[str, Any]) -> str:
    """The one or two fields of a record's data that say what happened (raw values)."""
    parts = [f"{data[k]}" for k in SUMMARY_FIELDS if data.get(k) not in (None, "")]
    return " ".join(parts[:2])


def family_label(family: str, lang: str) -> str:
    key = f"log.family.{family}"
    label = t(key, lang)
    return family if label == key else label


def kind_label(kind: str, lang: str) -> str:
    """``wire.sds_in`` as ``收到``; an unknown kind as ``<family in words>.<what>``."""
    key = f"log.kind.{kind}"
    label = t(key, lang)
    if label != key:
        return label
    family, _, what = kind.partition(".")
    if family == "ladder":
        try:
            return Rung(what).label(lang)
        except ValueError:
            pass
    return f"{family_label(family, lang)}.{what}"


def status_words(value: int, lang: str, plan: StatusPlan | None = None) -> str:
    """A status number as the station names it: ``0x8004 到场``."""
    label = (plan or DEFAULT_PLAN).label_of(value, lang) or t("log.status.unknown", lang)
    return t("log.status", lang, code=value, label=label)


def _word(prefix: str, value: object, lang: str) -> str:
    """``value`` through ``<prefix>.<value>`` in the vocabulary, else as it is."""
    key = f"{prefix}.{value}"
    said = t(key, lang)
    return str(value) if said == key else said


def describe(
    kind: str, data: Mapping[str, Any], lang: str, plan: StatusPlan | None = None
) -> tuple[str, str]:
    """(what happened, detail) for a record of ``kind`` with ``data``, in ``lang``.

    The detail may hold untrusted text (an SDS, a note): the caller renders it inert."""
    what = kind_label(kind, lang)
    family = kind.partition(".")[0]
    if kind == "wire.sds_in":
        typed = f"log.kind.{kind}.{data.get('type')}"  # a status or a text
        what = what if t(typed, lang) == typed else t(typed, lang)
        if data.get("type") == "status" and isinstance(data.get("value"), int):
            return what, status_words(data["value"], lang, plan)
        return what, str(data.get("text") or data.get("reason") or "")
    if kind == "wire.call":
        event = _word("log.call", data.get("event", ""), lang)
        return what, " ".join(p for p in (event, str(data.get("group") or "")) if p)
    if kind == "wire.link":
        state = _word("link", data.get("state", ""), lang)
        return what, " ".join(p for p in (state, str(data.get("detail") or "")) if p)
    if family == "ladder":
        return what, ladder_detail(data, lang)
    if family == "escalation":
        target = data.get("target")
        try:
            return what, DeadlineKind(str(target)).label(lang)
        except ValueError:
            return what, str(target or "")
    if kind == "alarm.raised":
        source = _word("alarm.source", data.get("source", ""), lang)
        return what, " ".join(p for p in (source, str(data.get("text") or "")) if p)
    if kind in ("alarm.acknowledged", "alarm.repeated", "alarm.cleared"):
        return what, str(data.get("alarm") or "")
    if kind == "operator.action":
        action = _word("log.action", data.get("action", ""), lang)
        method = _method(data.get("method"), lang)
        rung = _rung(data.get("rung"), lang)
        parts = (action, method + rung, str(data.get("note") or ""))
        return what, " ".join(p for p in parts if p)
    if kind == "operator.command":
        return what, str(data.get("command") or "")
    if kind == "service.resumed":
        return what, t("log.pages", lang, n=len(data.get("pages") or ()))
    if kind == "voice.device_problem":
        return what, device_problem(data, lang)
    return what, summary(data)


def device_problem(data: Mapping[str, Any], lang: str) -> str:
    """A sound device's problem in ``lang`` from the words its row keeps (a row from
    before they were kept says its English message)."""
    return say(phrase_or(str(data.get("message") or ""), data.get("words")), lang)


def ladder_detail(data: Mapping[str, Any], lang: str) -> str:
    """The officer's part of a rung: its failure cause, or how they recorded it by hand
    (the engine's own English detail is for the technician, in the export)."""
    cause = data.get("cause")
    if cause:
        try:
            return FailureCause(str(cause)).label(lang)
        except ValueError:
            return str(cause)
    if data.get("source") == "operator" and not data.get("implied"):
        return t("log.manual", lang, method=_method(data.get("detail"), lang)).strip()
    return ""


def _method(value: object, lang: str) -> str:
    try:
        return AnswerMethod(str(value)).label(lang) if value else ""
    except ValueError:
        return ""


def _rung(value: object, lang: str) -> str:
    try:
        return Rung(str(value)).label(lang) if value else ""
    except ValueError:
        return ""
