"""A zh station's mistakes are said in Chinese (issue 14): what ``dutydesk ...`` prints on
stderr, a screen's toast, the F8 device reasons, the ``voice.device_problem`` log row and
``broadcast``'s per-speaker lines.  English stays English for ``--lang en``.

"No English" means no ASCII word outside what a Chinese desk writes too: ISSI numbers,
file paths, unit aliases and values the user typed, and technical tokens.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from console import cli
from console.broadcast.results import SpeakerResult, summary_line
from console.errors import ConfigError, UnknownNameError, say_error
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
