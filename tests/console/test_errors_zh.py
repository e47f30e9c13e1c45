"""A zh station's mistakes are said in Chinese (issue 14): what ``dutydesk ...`` prints on
stderr, a screen's toast, the F8 device reasons, the ``voice.device_problem`` log row and
``broadcast``'s per-speaker lines.  English stays English for ``--lang en``.

"No English" means no ASCII word outside what a Chinese desk writes too: ISSI numbers,
file paths, unit aliases and values the user typed, and technical tokens.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from console import cli
from console.broadcast.results import SpeakerResult, summary_line
from console.errors import ConfigError, UnknownNameError, say_error
from console.eventlog.errors import classify
from console.i18n import Phrase
from console.logwords import describe
from console.service.wire import Registry, to_wire
from console.tui.strings import tr
from console.voice import devices
from console.voice.errors import DeviceUnavailable, PortAudioMissing
from console.voice.floor import AudioReach
from console.voice.path import VoiceState, device_problem_data
from drivers.audio.errors import AudioBackendMissing, AudioDeviceError
from drivers.errors import CommandTimeout

ALLOWED = {"PEI", "SDS", "ISSI", "GSSI", "TOML", "UTF", "GBK", "GB2312", "PortAudio", "dutydesk"}
ALLOWED |= {"INC", "ALM"}  # incident and alarm ids (INC-0001)
ALLOWED |= {"ISO", "csv", "jsonl"}  # a standard's and formats' names
ALLOWED |= {"IP", "TLS", "SHA"}  # network words a technician's Chinese keeps
WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str) -> list[str]:
    """ASCII words left after file paths, quoted values, commands and options are removed."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\[[^\]]*\]", " ", text)  # the user's values, [audio]
    text = re.sub(r"\S*[/\\.]\S*", " ", text)  # paths, file names, docs/x.md, 1..9
    text = re.sub(r"(pip|apt-get|python) [^；。，）]*", " ", text)  # a command to type
    text = re.sub(r"--\S+|\$\w+", " ", text)  # an option, $DUTYDESK_CONFIG
    return [w for w in WORD.findall(text) if w not in ALLOWED]


def zh_station(tmp_path: Path, body: str = "") -> Path:
    path = tmp_path / "station.toml"
    text = '[station]\nname = "东湖派出所"\nlanguage = "zh-CN"\n[gateway]\nurl = "sim://demo"\n'
    path.write_text(text + body, encoding="utf-8")
    return path


def stderr_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert cli.main(list(argv)) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("dutydesk"), err
    return err.partition(": ")[2]


def test_unknown_unit_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    line = stderr_line(capsys, "page", "--unit", "星海实验小学", "--text", "集合")
    assert "星海实验小学" in line and "提示" in line and english_words(line) == [], line
    line = stderr_line(capsys, "--lang", "en", "page", "--unit", "星海实验小学", "--text", "x")
    assert "unknown unit or group '星海实验小学'" in line and "(hint: Use a unit alias" in line


def test_an_english_station_keeps_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    station = zh_station(tmp_path)
    station.write_text(station.read_text(encoding="utf-8").replace("zh-CN", "en"), encoding="utf-8")
    line = stderr_line(capsys, "--config", str(station), "page", "--unit", "无", "--text", "x")
    assert line.startswith("unknown unit or group '无'")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('[[units]]\nissi = "abc"\nalias = "一号车"\nkind = "school"\n', "units[0].issi"),
        ('[[units]]\nissi = 2001\nalias = "一号车"\nkind = "schol"\n', "units[0].kind"),
        ("[stationn]\n", "stationn"),
        ("[[units]]\nissi = 2001\n", "units[0]"),
        ("[[units]\n", ":6:"),
    ],
)
def test_a_bad_station_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, where: str
) -> None:
    station = zh_station(tmp_path, body)
    line = stderr_line(capsys, "--config", str(station), "page", "--unit", "2001", "--text", "x")
    # the field it names (``units[0].kind``) is the file's own word
    assert where in line and "提示" in line and english_words(line.replace(where, "")) == []
    assert cli.main(["config", "check", str(station)]) == 2
    for row in capsys.readouterr().err.splitlines():
        assert english_words(row.partition(": ")[2].replace(where, "")) == [], row


def test_a_missing_station_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "无此文件.toml")
    line = stderr_line(capsys, "--config", missing, "page", "--unit", "2001", "--text", "x")
    assert "文件不存在" in line and english_words(line) == [], line


def test_missing_sound_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_portaudio() -> object:
        raise AudioBackendMissing("PortAudio library not found (libportaudio.so.2)")

    monkeypatch.setattr(devices.cards, "load_sounddevice", no_portaudio)
    with pytest.raises(PortAudioMissing) as info:
        devices.load_sounddevice()
    said = say_error(info.value, "zh-CN")
    assert "PortAudio" in said and english_words(said) == [], said
    assert str(info.value).startswith("sound cards unavailable: PortAudio library not found")
    not_configured = DeviceUnavailable(
        Phrase(
            "voice.not_configured",
            devices=(Phrase("voice.device.headset_input", "headset_input"),),
        ),
        hint=Phrase("voice.hint.name_devices"),
    )
    for problem in (info.value, not_configured):
        # the F8 screen's reason, as the voice path's state holds it -- also in a console
        # attached to the station service (the state comes over the live stream)
        state = VoiceState(problems=(problem.message,))
        remote = Registry([VoiceState]).decode(json.loads(json.dumps(to_wire(state))))
        for seen in (state, remote):
            reach = AudioReach.of(seen)
            why = tr("ptt.audio_why", "zh-CN", why=reach.problems[0])
            assert why.startswith("原因：") and english_words(why) == [], why
            assert tr("ptt.audio_why", "en", why=reach.problems[0]) == f"why: {problem.message}"
        # the log row, written as JSON and read back
        data = device_problem_data(problem)
        assert data["message"] == str(problem.message)
        what, detail = describe("voice.device_problem", json.loads(json.dumps(data)), "zh-CN")
        assert what == "声卡问题" and detail and english_words(detail) == [], detail
        assert describe("voice.device_problem", data, "en")[1] == str(problem.message)


def test_a_driver_error_says_its_hint_in_chinese() -> None:
    said = say_error(CommandTimeout("AT+CTSDS timed out after 5 s"), "zh-CN")
    assert "提示：网关未按时应答" in said
    said = say_error(AudioDeviceError("no microphone 'Jabra'"), "zh-CN")
    assert "提示：请检查麦克风" in said
    assert say_error(CommandTimeout("x"), "en") == str(CommandTimeout("x"))


def test_an_incident_the_officer_cannot_move_says_why_in_chinese() -> None:
    from console.incidents.errors import InvalidTransitionError, UnknownAlarmError

    err = InvalidTransitionError("INC-0001", "closed", "handling", ["assessed"])
    said = say_error(err, "zh-CN")
    assert said.startswith("事件 INC-0001 不能从「办结」转为「处置」（提示：此时可转为：评价。")
    assert english_words(said) == [], said
    assert str(err).startswith("incident INC-0001 cannot go from closed to handling (hint: ")
    said = say_error(UnknownAlarmError("ALM-0009"), "zh-CN")
    assert "ALM-0009" in said and english_words(said) == [], said


def test_english_text_of_an_error_is_unchanged() -> None:
    err = UnknownNameError("abc", ["abd"])
    assert str(err) == (
        "unknown unit or group 'abc'; did you mean 'abd'? "
        "(hint: Use a unit alias, a group name, or a raw ISSI/GSSI number.)"
    )
    assert err.say("en") == str(err)
    config = ConfigError("bad", path="s.toml", line=3, others=[ConfigError("worse")])
    assert (
        config.say("en")
        == str(config)
        == (
            "s.toml:3: bad (hint: Fix the station file; docs/station-config.md describes every "
            "field.) (and 1 more problem)"
        )
    )


def test_broadcast_speaker_lines_in_chinese() -> None:
    ok = SpeakerResult("1号点 江滨公园码头", "127.0.0.1:5004", 100, 0)
    bad = SpeakerResult("2号点 柳岸亲水平台", "255.255.255.255:5006", 0, 3, "Permission denied")
    assert ok.line("zh-CN") == "✓ 1号点 江滨公园码头（127.0.0.1:5004）：已发出 100 个数据包"
    assert bad.line("zh-CN").startswith("✗ 2号点 柳岸亲水平台（255.255.255.255:5006）：失败")
    assert summary_line("B-1", [ok, bad], "zh-CN") == "广播 B-1：2 个音柱中 1 个已发出，1 个失败"
    assert ok.line() == "✓ 1号点 江滨公园码头 (127.0.0.1:5004): 100 packets sent"
    assert summary_line("B-1", [ok, bad]) == "broadcast B-1: 1 of 2 speaker(s) sent, 1 failed"


def test_a_refusal_of_the_station_service_is_said_in_the_consoles_language() -> None:
    """A console attached to the service shows its refusals in its own language: the
    answer keeps the words beside the English ``error`` and ``hint`` other clients read."""
    from console.incidents.errors import InvalidTransitionError
    from console.service.api import _error_response
    from console.service.client import answer_error

    refused = InvalidTransitionError("INC-0001", "closed", "handling", ["assessed"])
    response = _error_response(400, refused.message, refused.hint)
    assert response.text is not None
    answer = json.loads(response.text)
    assert answer["error"] == "incident INC-0001 cannot go from closed to handling"
    assert answer["hint"] == str(refused.hint)
    back = answer_error(answer, "HTTP 400")
    assert str(back) == str(refused) and back.say("zh-CN") == refused.say("zh-CN")
    plain = answer_error({"error": "x", "hint": ""}, "HTTP 400")  # an older service
    assert str(plain) == "x" and plain.say("zh-CN") == "x"


def test_a_bad_time_for_log_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["log", "export", "--db", str(tmp_path / "none.db"), "--since", "昨天"]
    assert cli.main(argv) == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith("错误：--since：不是 ISO-8601 时间：'昨天'（提示：时间用 ISO-8601")
    assert english_words(line) == [], line
    assert cli.main(["--lang", "en", *argv]) == 2
    assert capsys.readouterr().err.startswith("error: --since: not an ISO-8601 time: '昨天'\nhint:")


MISTAKES = """
[[units]]
issi = 2001
alias = "一号车"
kind = "schol"
backup = "一号车"
groups = ["无此组"]

[[units]]
issi = 2001
alias = "一号车"
kind = "school"

[[groups]]
name = "学校组"
kind = "talkgroup"
kinds = ["schol"]

[[zones]]
id = "a b"
name = "沿江"
[[zones.speakers]]
name = "1号点"
host = "239.1.1.1"
port = 5004
protocol = "polycom"

[[status_plan.codes]]
code = 5
meaning = "arrived"
label = "到场"
[[status_plan.codes]]
code = 5
meaning = "arrived"
label = "到达"

[deadlines]
acknowledge_s = 300
en_route_s = 60
on_scene_s = 30

[targets]
acknowledge_s = 1

[service]
listen = "nope"
[[service.tokens]]
operator = "张警官"
sha256 = "xyz"

[replication]
url = "mysql://centre"
interval_s = 0

[[templates]]
id = "t 1"
title = "集合"
text = "请到门口集合"
"""
"""A station file with a mistake of nearly every kind the builder checks."""

PLACE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<field>[^:]+): (?P<said>.+)$")


def places(rows: list[str], path: Path) -> list[tuple[int, str, str]]:
    """Each problem's ``(line, field, what is said)``; every row names ``path`` and a line."""
    out = []
    for row in rows:
        match = PLACE.match(row)
        assert match and match["file"] == str(path), row
        out.append((int(match["line"]), match["field"], match["said"]))
    return out


def test_config_check_says_every_mistake_of_a_zh_station_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    station = zh_station(tmp_path, MISTAKES)
    assert cli.main(["config", "check", str(station)]) == 2
    *rows, total = [r.removeprefix("dutydesk: ") for r in capsys.readouterr().err.splitlines()]
    found = places(rows, station)
    assert len(found) >= 20 and total == f"配置文件有 {len(found)} 处错误"
    for _, _, said in found:
        assert "提示" in said or "重复" in said or "音柱" in said, said
        assert english_words(said) == [], said
    said = {field: text for _, field, text in found}
    assert said["deadlines"].startswith("时限不能递减：300 秒、60 秒、30 秒")
    assert said["targets"].startswith("[targets] 是 [deadlines] 的旧名称")
    assert said["status_plan.codes[1].code"] == "状态码 0x5 重复（提示：请修改配置文件；" + (
        "docs/station-config.md 说明了每个字段。）"
    )
    assert "是否要写 'school'" in said["units[0].kind"]

    assert cli.main(["--lang", "en", "config", "check", str(station)]) == 2
    *rows, total = [r.removeprefix("dutydesk: ") for r in capsys.readouterr().err.splitlines()]
    english = places(rows, station)
    assert [(line, field) for line, field, _ in english] == [(n, f) for n, f, _ in found]
    assert total == f"{len(found)} problem(s) in the station file"
    words = {field: text for _, field, text in english}
    assert words["deadlines"] == (
        "deadlines must not decrease: 300 s, 60 s, 30 s "
        "(hint: acknowledge_s <= en_route_s <= on_scene_s (e.g. 60, 180, 300))"
    )
    assert words["targets"] == (
        "[targets] is the old name of [deadlines], and both are given "
        "(hint: move the keys of [targets] into [deadlines])"
    )
    assert words["units[0].groups[0]"] == (
        'unknown group "无此组" (hint: define it under [[groups]]; groups: 学校组)'
    )
    assert words["groups[0].kinds[0]"].startswith('unknown unit kind "schol" (hint: kinds: school,')
    assert words["status_plan.codes[1].code"].startswith("duplicate status code 0x5 (hint: Fix")
    assert words["service.tokens[0].sha256"] == (
        "expected the token's SHA-256 as 64 hex digits "
        "(hint: run 'dutydesk serve --new-token NAME' and paste the lines it prints)"
    )


BAD_DRILL = """[drill]
name = "东湖演练"
units = ["一号车", true, 99999999]

[page]
voice = true
text = "集合"

[deadlines]
acknowledge_s = -5
en_route_s = false

[[criteria]]
rung = "en_route"

[[criteria]]
rung = "acknowledged"
within = 30
at_least = "lots"

[simulation]
[[simulation.units]]
units = ["一号车"]
answer_after = -1
[[simulation.events]]
do = "紧急 2001"
[[simulation.events]]
at = 3
do = "fly 2001"
"""
"""A drill file with a mistake in every section (its station has 一号车 and no talkgroup)."""


def test_drill_check_says_every_mistake_of_a_drill_file_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    station = zh_station(tmp_path, '[[units]]\nissi = 2001\nalias = "一号车"\nkind = "school"\n')
    drill = tmp_path / "东湖演练.toml"
    drill.write_text(BAD_DRILL, encoding="utf-8")
    argv = ["--config", str(station), "drill", "check", str(drill)]
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    found = places(out.splitlines(), drill)
    assert len(found) == 9 and err.strip() == f"dutydesk: {drill} 中有 9 处问题"
    for _, _, said in found:
        assert "提示" in said and english_words(said) == [], said
    said = {field: text for _, field, text in found}
    assert said["drill.units[1]"].startswith("应为单元或通话组的名称或号码，实际为 true")
    assert (
        said["drill.units[2]"]
        == "'99999999' 不是有效的电台号码（提示：ISSI/GSSI 号码为 1..16777215。）"
    )
    assert said["simulation.events[1].do"].startswith("'fly 2001' 不是模拟指令（提示：例如")
    assert said["criteria[0].within"].startswith("'en_route' 没有时限")
    assert [line for line, _, _ in found] == sorted(line for line, _, _ in found)

    assert cli.main(["--lang", "en", *argv]) == 2
    out, err = capsys.readouterr()
    english = places(out.splitlines(), drill)
    assert [(line, field) for line, field, _ in english] == [(n, f) for n, f, _ in found]
    assert err.strip() == f"dutydesk: 9 problem(s) in {drill}"
    words = {field: text for _, field, text in english}
    assert words["drill.units[2]"] == (
        "'99999999' is not a valid radio number (hint: ISSI/GSSI numbers are 1..16777215.)"
    )
    assert words["page.voice"] == (
        "a voice page needs a talkgroup in [drill] groups "
        "(hint: Fix the drill file; docs/drills.md describes every field.)"
    )
    assert words["deadlines.acknowledge_s"].startswith("expected seconds > 0 or false, got -5")
    assert words["criteria[1].at_least"] == (
        'expected "95%", "all" or a number of units, got "lots" (hint: e.g. at_least = "95%")'
    )
    assert words["simulation.units[0].answer_after"].startswith("expected seconds >= 0, got -1")
    assert words["simulation.events[0].at"] == "needs the seconds after the page (hint: at = 30)"
    assert words["simulation.events[1].do"].startswith("unknown command 'fly'; commands: ")
    assert words["simulation.events[1].do"].endswith('(hint: do = "emergency 2004")')


def test_a_station_variable_that_names_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUTYDESK_CONFIG", str(tmp_path / "无此文件.toml"))
    line = stderr_line(capsys, "page", "--unit", "2001", "--text", "x")
    assert "不是可读取的文件" in line and english_words(line) == [], line
    line = stderr_line(capsys, "--lang", "en", "page", "--unit", "2001", "--text", "x")
    assert "which is not a readable file (hint: fix or unset DUTYDESK_CONFIG" in line


def test_a_damaged_event_log_is_said_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = tmp_path / "events.db"
    damaged.write_bytes(b"this is not a database " * 100)
    argv = ["log", "export", "--db", str(damaged)]
    assert cli.main(argv) == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith(f"错误：事件日志 {damaged}：不是数据库文件（已损坏或选错了文件）")
    # the hint's command is typed as it is written
    assert english_words(re.sub(r"`[^`]*`", " ", line)) == [], line
    assert cli.main(["--lang", "en", *argv]) == 2
    said = capsys.readouterr().err
    assert said.startswith(f"error: event log {damaged} is not an SQLite database (damaged or")
    assert "\nhint: Move the file aside" in said


@pytest.mark.parametrize(
    ("raised", "zh", "english"),
    [
        (OSError(28, "No space left on device"), "磁盘已满", "disk full (No space left on device)"),
        (OSError(30, "Read-only file system"), "无法写入", "cannot write (Read-only file system)"),
        (sqlite3.OperationalError("database or disk is full"), "磁盘已满", "database or disk is"),
        (sqlite3.OperationalError("a readonly database"), "只读，无法写入", "read-only ("),
        (sqlite3.OperationalError("database is locked"), "被另一个程序锁定", "locked by another"),
        (sqlite3.OperationalError("unable to open database file"), "无法打开", "cannot open ("),
        (sqlite3.OperationalError("disk I/O error"), "磁盘读写错误", "I/O error (disk I/O error)"),
    ],
)
def test_what_the_event_log_reports_is_said_in_chinese(
    raised: Exception, zh: str, english: str
) -> None:
    err = classify(raised, "/srv/日志/events.db")
    said = say_error(err, "zh-CN")
    assert said.startswith(f"事件日志 /srv/日志/events.db：{zh}（提示：") and "。）" in said, said
    assert english_words(said) == [], said
    assert str(err).startswith(f"event log /srv/日志/events.db: {english}")
    assert say_error(err, "en") == str(err) and "\nhint: " in str(err)


def test_a_scripted_drill_on_a_real_gateway_is_refused_in_chinese(tmp_path: Path) -> None:
    from console.config.loader import demo_station
    from console.runtime import Runtime
    from drivers.clock import VirtualClock

    scripted = tmp_path / "scripted.toml"
    scripted.write_text(
        '[drill]\nname = "演练"\nunits = [2001]\n[page]\ntext = "集合"\n'
        '[simulation]\n[[simulation.units]]\nunits = "all"\nbehaviour = "status"\n',
        encoding="utf-8",
    )
    runtime = Runtime(
        demo_station(),
        gateway_url="/dev/ttyUSB9",
        db_path=tmp_path / "events.db",
        clock=VirtualClock(),
        log_background=False,
    )
    with runtime.log, pytest.raises(ConfigError) as info:
        runtime.load_drill(scripted)
    said = info.value.say("zh-CN")
    assert said.startswith(f"{scripted}:6: simulation: 脚本化的单元行为只能在模拟网络上运行")
    assert english_words(said.removeprefix(f"{scripted}:6: simulation: ")) == [], said
    assert str(info.value).startswith(
        f"{scripted}:6: simulation: scripted behaviour runs only against the simulated network"
    )
