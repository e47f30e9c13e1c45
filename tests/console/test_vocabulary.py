"""One vocabulary (issue 14): every table registers into :mod:`console.i18n`, every key
says both zh-CN and English, and a word is not the English left untranslated.

The screens' ``tr`` is the same lookup as ``t``, and enum labels come from the tables.
"""

from __future__ import annotations

import importlib
import re
import string

import pytest

from console import i18n

OWNERS = (
    "console.tui.strings",
    "console.tui.widgets.incidents",
    "console.errors",
    "console.config.reader",
    "console.config.loader",
    "console.voice.errors",
    "console.broadcast.errors",
    "console.broadcast.results",
    "console.paging.model",
    "console.deadlines",
    "console.drills.model",
    "console.rollcall.model",
    "console.incidents.model",
    "console.incidents.errors",
    "console.eventlog.errors",
    "console.exitcodes",
)
"""The modules that keep a table of their own (imported: that registers them)."""

SAME_IN_BOTH = {
    "col.issi": "a technical token",
    "log.status": "a number and a label filled in",
    "report.rc.counts": "only a placeholder",
    "report.rc.title": "already Chinese in the English report (kept as it was)",
}
"""Keys whose two texts may be identical."""

OWN_PLACEHOLDERS = {
    "config.allowed_keys": "zh-CN quotes the key names",
    "config.expected_one_of": "zh-CN quotes the choices",
    "config.syntax_at": "English keeps tomllib's words, which hold the column",
}
"""Keys whose two texts may fill different placeholders."""


@pytest.fixture(scope="module", autouse=True)
def every_table() -> None:
    for name in OWNERS:
        importlib.import_module(name)


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_every_key_has_both_languages() -> None:
    every = sorted(i18n.keys())
    assert len(every) > 500
    for key in every:
        zh, en = i18n.words(key)
        assert zh.strip() and en.strip(), key
        if key not in OWN_PLACEHOLDERS:
            assert placeholders(zh) == placeholders(en), key


def test_a_word_is_translated() -> None:
    every = sorted(i18n.keys())
    same = {key for key in every if i18n.words(key)[0] == i18n.words(key)[1]}
    assert same <= set(SAME_IN_BOTH), same - set(SAME_IN_BOTH)
    for key in every:
        # a zh-CN text with no Chinese holds only placeholders and technical tokens
        zh = re.sub(r"\{[^}]*\}", " ", i18n.words(key)[0])
        if not re.search(r"[\u3000-\u9fff\uff00-\uffef]", zh):
            assert not re.search(r"[a-z]{3,}", zh), key


def test_one_lookup() -> None:
    from console.tui.strings import tr

    assert tr is i18n.t
    assert tr("panel.units", "en") == "Units & groups" and i18n.t("panel.units") == "单元与通话组"
    assert i18n.t("no.such.key", "en") == "no.such.key"


def test_a_key_defined_twice_with_other_words_is_refused() -> None:
    with pytest.raises(ValueError, match="defined twice"):
        i18n.register({"panel.units": ("别的", "other")})
    i18n.register({"panel.units": i18n.words("panel.units")})  # the same words: fine


def test_enum_labels_come_from_the_vocabulary() -> None:
    from console.deadlines import DeadlineKind
    from console.exitcodes import ExitCode
    from console.incidents.model import IncidentState
    from console.paging.model import AnswerMethod, FailureCause, Rung
    from console.rollcall.model import Attendance

    for enum, prefix in (
        (Rung, "paging.rung"),
        (AnswerMethod, "paging.method"),
        (FailureCause, "paging.cause"),
        (DeadlineKind, "deadline"),
        (Attendance, "rollcall.attendance"),
        (IncidentState, "incident.state"),
    ):
        for member in enum:
            zh, en = i18n.words(f"{prefix}.{member.value}")
            assert (member.label("zh-CN"), member.label("en")) == (zh, en), member
    assert ExitCode.MISSED.meaning("zh-CN") == i18n.words("exit.missed")[0]
