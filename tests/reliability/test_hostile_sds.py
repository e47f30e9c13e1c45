"""Hostile SDS text from radios, end to end through the simulator, stays inert data.

Radios answer a page with text holding terminal escapes, control characters, bidi
overrides, Rich/Textual markup, invalid UTF-16 and overlong (concatenated) payloads.
The log keeps each text exactly as decoded (round trip of the JSON data), and the exports
and report rendering stay data: the CSV is one record per event (one physical line per
record, no raw control character), the JSONL one line per event, and the report's
``inert`` text has no control, format or bidi character left.  The TUI side is tested
elsewhere.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

from console.eventlog import write_records
from console.paging.model import PageRequest, Recipient
from console.reports.render import inert
from drivers import radio_events as rev
from drivers.sds import encode_text, split_text
from drivers.sds.decode import AI_SDS_TL
from fakes.air import AirSds
from tests.factories import OpenFaultRig

HOSTILE = [
    "\x1b[2J\x1b[H\x1b]0;owned\x07清屏",  # clear screen, set the window title
    "\x1b]8;;http://evil.example/\x1b\\点我\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x9b31m8-bit CSI\x9bm",  # C1 control introducer
    "第一行\r\n第二行\n\x00NUL\x08\x7fDEL\x0c",
    "\u202e\u2066管理员\u2069\u202c \u200f反向",  # bidi overrides and isolates
    "[bold red]紧急[/] [link=file:///etc/passwd]x[/link] [@click=app.quit]退出[/]",
    "$(reboot); `id`; =cmd|' /C calc'!A0, \"quoted\", 'single'",  # formula / shell bait
    "\u2028行分隔\u2029段分隔\ufeffBOM",
]
UNITS = tuple(range(4001, 4001 + len(HOSTILE) + 3))
LONG = "很长的回复" * 120  # 600 characters: several concatenated parts
BAD_UTF16 = b"\xd8\x00\x00A\xdc\x01"  # lone high surrogate, then a lone low one


BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe(text: str) -> list[str]:
    """Characters that can drive a terminal or reorder what it shows: C0/C1 controls,
    line/paragraph separators, bidi controls.  (Zero-width format characters such as
    U+FEFF are invisible but inert; the CSV export keeps them as they are.)"""
    return [
        c
        for c in text
        if (unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in BIDI) and c not in "\r\n"
    ]


async def test_hostile_texts_are_logged_and_exported_as_inert_data(
    tmp_path: Path, open_fault_rig: OpenFaultRig
) -> None:
    frig = await open_fault_rig(tmp_path / "h.db", seed=31, issis=UNITS)
    received: list[rev.TextReceived] = []
    frig.rig.gateway.subscribe(
        lambda e: received.append(e) if isinstance(e, rev.TextReceived) else None
    )
    net = frig.rig.sim.network
    page_id = frig.engine.page(
        PageRequest(recipients=tuple(Recipient(i) for i in UNITS), text="集合")
    )
    await frig.run(30, step=0.25)
    for issi, text in zip(UNITS, HOSTILE, strict=False):
        net.radio(issi).send_text(text, coding=26)
    # invalid UTF-16 (lone surrogates) as a radio with a broken codec would send it
    bad = encode_text("AB", 77, coding=26)[:-4] + BAD_UTF16
    net.from_radio(AirSds(AI_SDS_TL, UNITS[-3], net.gateway_issi, bad, len(bad) * 8))
    # an overlong reply, concatenated over several SDS
    for _ref, part in split_text(LONG, 80, 5, coding=26):
        net.from_radio(AirSds(AI_SDS_TL, UNITS[-2], net.gateway_issi, part, len(part) * 8))
    # an odd byte count in UTF-16 (a truncated payload)
    odd = encode_text("截断", 78, coding=26) + b"\x4e"
    net.from_radio(AirSds(AI_SDS_TL, UNITS[-1], net.gateway_issi, odd, len(odd) * 8))
    await frig.run(10, step=0.25)
    frig.log.flush()

    replies = list(frig.log.query(kinds=["page.reply"], page=page_id))
    logged = {int(r.unit or 0): r.data["text"] for r in replies}
    # every hostile text reached the log exactly as sent
    for issi, text in zip(UNITS, HOSTILE, strict=False):
        assert logged[issi] == text, (issi, text)
    assert logged[UNITS[-2]] == LONG
    # broken UTF-16: logged exactly as the driver decoded it (whatever it made of it)
    by_sender = {int(e.sender): e.text for e in received}
    assert logged[UNITS[-3]] == by_sender[UNITS[-3]]
    assert logged[UNITS[-1]] == by_sender[UNITS[-1]]
    assert len(replies) == len(UNITS)

    events = list(frig.log.query())
    # CSV: one physical line per record, parses back to the same number of records
    buf = io.StringIO(newline="")
    assert write_records(events, buf, "csv") == len(events)
    text = buf.getvalue()
    lines = text.split("\r\n")
    assert lines[-1] == "" and len(lines) - 1 == len(events) + 1  # + header
    assert _unsafe(text.replace("\r\n", "")) == []
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(events) + 1
    # JSONL: one line per event, and the JSON value is the same text (lossless)
    jbuf = io.StringIO()
    write_records(events, jbuf, "jsonl")
    jlines = jbuf.getvalue().splitlines()
    assert len(jlines) == len(events)
    assert all(_unsafe(line) == [] for line in jlines)
    exported = {
        int(d["unit"]): d["data"]["text"]
        for d in map(json.loads, jlines)
        if d["kind"] == "page.reply"
    }
    assert exported == logged
    # what a report or the terminal prints of them is inert (separators: see below)
    for value in logged.values():
        shown = inert(value).replace("\u2028", "").replace("\u2029", "")
        assert _unsafe(shown) == []
        assert "\x1b" not in shown and "\x9b" not in shown


def test_report_inert_text_keeps_one_line_per_value() -> None:
    value = "巡逻一组\u2028伪造的第二行\u2029"
    assert len(inert(value).splitlines()) == 1
    assert _unsafe(inert(value)) == []
