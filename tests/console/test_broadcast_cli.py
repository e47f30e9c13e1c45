"""``dutydesk broadcast`` and ``dutydesk fake-speaker``: exit codes 0 / 2 / 130.

Successful and interrupted runs use a real subprocess (real SIGINT) sending to
FakeSpeakers over UDP on 127.0.0.1; the error paths run ``console.cli.main`` in-process.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import textwrap
import types
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from console.broadcast.cli import cmd_broadcast
from console.cli import build_parser, main
from console.eventlog import EventLog
from drivers.audio.wavio import write_wav
from fakes.speaker import FakeSpeaker
from tests.factories import StartSpeaker

ROOT = Path(__file__).resolve().parents[2]
DEMO = resources.files("console.data").joinpath("demo_station.toml").read_text(encoding="utf-8")


def station_with_ports(tmp_path: Path, ports: dict[int, int]) -> Path:
    """The demo station file with some speaker ports replaced (demo port -> fake port)."""
    text = DEMO
    for old, new in ports.items():
        assert f"port = {old}\n" in text
        text = text.replace(f"port = {old}\n", f"port = {new}\n")
    path = tmp_path / "station.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def start_fakes(start_speaker: StartSpeaker, ports: list[int]) -> dict[int, FakeSpeaker]:
    return {p: await start_speaker(0, timeout=0.3) for p in ports}


async def run_cli(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "console",
        *args,
        cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run_broadcast(config: Path, *args: str) -> asyncio.subprocess.Process:
    """``dutydesk broadcast`` on ``config``, in English (the lines these tests read)."""
    return await run_cli("broadcast", "--lang", "en", "--config", str(config), *args)


def peak_hz(pcm: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float64)))
    return float(np.fft.rfftfreq(len(pcm), 1 / 8000)[int(np.argmax(spectrum))])


async def test_broadcast_plays_a_chime_to_a_zone_and_exits_0(
    tmp_path: Path, start_speaker: StartSpeaker
) -> None:
    fakes = await start_fakes(start_speaker, [5004, 5006, 5008])
    config = station_with_ports(tmp_path, {p: f.port for p, f in fakes.items()})
    proc = await run_broadcast(config, "--zone", "riverside", "--tone", "chime")
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert "finished" in out.decode() and err == b""
    for fake in fakes.values():
        assert await fake.wait_for(lambda f=fake: bool(f.broadcasts) and f.broadcasts[0].ended)
        [heard] = fake.broadcasts
        assert fake.violations == [] and heard.duration == pytest.approx(2.0, abs=0.05)
        assert peak_hz(heard.pcm) == pytest.approx(440, abs=15) or peak_hz(
            heard.pcm
        ) == pytest.approx(554.4, abs=15)


async def test_ctrl_c_stops_cleanly_with_130_and_ends_the_streams(
    tmp_path: Path, start_speaker: StartSpeaker
) -> None:
    fakes = await start_fakes(
        start_speaker, [5030, 5032, 5034, 5036, 5001]
    )  # school-gates, incl. Polycom
    config = station_with_ports(tmp_path, {p: f.port for p, f in fakes.items()})
    proc = await run_broadcast(
        config,
        "--zone",
        "school-gates",
        "--tone",
        "alarm",
        "--seconds",
        "60",
    )
    poly = fakes[5001]
    assert await poly.wait_for(
        lambda: bool(poly.broadcasts) and len(poly.broadcasts[0].frames) > 10, 20
    )
    proc.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 130, err.decode()
    assert "stopped" in out.decode() and err == b""
    assert await poly.wait_for(lambda: poly.broadcasts[0].ended)
    heard = poly.broadcasts[0]
    assert heard.end_reason != "timeout" and heard.ends > 0  # Polycom End packets sent
    for fake in fakes.values():
        assert fake.violations == []
        assert fake.broadcasts[0].duration < 30


def test_an_interrupt_event_set_before_the_first_frame_returns_130(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "long.wav", np.zeros(8000 * 30, np.int16))
    args = build_parser().parse_args(
        ["broadcast", "--to", "127.0.0.1:9", "--wav", str(wav), "--db", str(tmp_path / "log.db")]
    )
    stop = asyncio.Event()
    stop.set()
    assert cmd_broadcast(args, interrupt=stop) == 130
    with EventLog.open_readonly(tmp_path / "log.db") as log:
        kinds = [r.kind for r in log.tail(20)]
    assert "broadcast.outside_config" in kinds and "broadcast.stopped" in kinds


def test_an_explicit_destination_outside_the_config_plays_and_is_logged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wav = write_wav(tmp_path / "short.wav", np.full(800, 500, np.int16))
    db = tmp_path / "log.db"
    argv = ["broadcast", "--lang", "en", "--to", "127.0.0.1:9", "--wav", str(wav)]
    assert main([*argv, "--db", str(db)]) == 0
    with EventLog.open_readonly(db) as log:
        records = {r.kind: r for r in log.tail(20)}
    assert records["broadcast.outside_config"].data["destinations"] == ["127.0.0.1:9"]
    assert records["broadcast.finished"].data["stats"]["frames_sent"] == 5
    assert "finished" in capsys.readouterr().out


def _error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dutydesk: "), captured.err
    return lines[0]


def test_unknown_zone_exits_2_with_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    line = _error(capsys, "broadcast", "--lang", "en", "--zone", "riversid", "--tone", "chime")
    assert "'riversid'" in line and "did you mean 'riverside'" in line
    line = _error(capsys, "broadcast", "--zone", "riversid", "--tone", "chime")  # zh-CN
    assert "没有广播分区 'riversid'；是否要找 'riverside'？" in line


def test_no_speakers_named_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--zone" in _error(capsys, "broadcast", "--tone", "chime")


def test_unreadable_wav_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "广播.wav"
    bad.write_bytes(b"not a wav at all")
    assert "广播.wav" in _error(capsys, "broadcast", "--zone", "riverside", "--wav", str(bad))
    missing = str(tmp_path / "missing.wav")
    assert "missing.wav" in _error(capsys, "broadcast", "--zone", "riverside", "--wav", missing)


def test_no_speech_engine_exits_2_with_the_install_hints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Neither the espeak-ng wheel nor the program (as on a bare machine)."""
    from drivers.audio import tts

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(tts, "_ENGINES", [tts.EspeakCommand()])
    line = _error(capsys, "broadcast", "--zone", "riverside", "--tts", "请注意安全")
    assert "pip install espeakng-loader" in line and "apt-get install espeak-ng" in line


def _stub_sounddevice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    (tmp_path / "stub").mkdir()
    (tmp_path / "stub" / "sounddevice.py").write_text(textwrap.dedent(body))
    monkeypatch.syspath_prepend(str(tmp_path / "stub"))
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)


def test_no_portaudio_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stub_sounddevice(tmp_path, monkeypatch, "raise OSError('PortAudio library not found')\n")
    line = _error(capsys, "broadcast", "--zone", "riverside", "--mic")
    assert "PortAudio" in line and "libportaudio2" in line


def test_missing_microphone_exits_2_naming_the_device(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stub_sounddevice(
        tmp_path,
        monkeypatch,
        """
        class PortAudioError(Exception):
            pass

        def query_devices(device=None, kind=None):
            return [{"name": "Built-in Mic", "max_input_channels": 1,
                     "default_samplerate": 48000.0}]
        """,
    )
    line = _error(capsys, "broadcast", "--zone", "riverside", "--mic", "Jabra")
    assert "'Jabra'" in line and "Built-in Mic" in line


def test_fake_speaker_hands_its_options_to_the_fake(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[list[str]] = []
    stub = types.ModuleType("fakes.speaker_cli")
    stub.main = lambda argv: seen.append(list(argv)) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fakes.speaker_cli", stub)
    save = str(tmp_path / "got")
    assert main(["fake-speaker", "--port", "5004", "--group", "239.1.2.3", "--save", save]) == 0
    assert seen == [["--port", "5004", "--group", "239.1.2.3", "--save", save]]


async def test_fake_speaker_runs_for_real_and_ctrl_c_ends_it(tmp_path: Path) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = await run_cli("fake-speaker", "--port", str(port))
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 20)
    assert b"listening" in line and str(port).encode() in line
    proc.send_signal(signal.SIGINT)
    await asyncio.wait_for(proc.wait(), 10)
    assert proc.returncode == 0


def test_zone_by_its_chinese_name_reports_each_speaker_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--zone 沿江`` (the start of 沿江9处) plays the zone; one line per speaker."""
    db = tmp_path / "log.db"
    argv = ["broadcast", "--zone", "沿江", "--tone", "chime", "--db", str(db)]
    assert main([*argv, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    lines = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    assert len(lines) == 9 and all(line.startswith("✓ ") for line in lines)
    assert "✓ 1号点 江滨公园码头 (127.0.0.1:5004): 100 packets sent" in lines
    assert out.rstrip().endswith("9 of 9 speaker(s) sent")
    assert main(argv) == 0  # the demo station's language: zh-CN
    out = capsys.readouterr().out
    assert "  ✓ 1号点 江滨公园码头（127.0.0.1:5004）：已发出 100 个数据包" in out
    assert "（常规）：提示音 chime → 9 个音柱：1号点 江滨公园码头" in out
    assert "已播完：100 帧" in out and out.rstrip().endswith("9 个音柱中 9 个已发出")


def test_one_speaker_failing_is_named_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Spot 2 cannot be sent to (the limited broadcast address without SO_BROADCAST is
    refused by the kernel); the other eight take it.  Not "finished" for all: exit 1."""
    text = DEMO.replace(
        'name = "2号点 柳岸亲水平台"\nname_en = "Spot 2 Liu\'an waterside deck"\n'
        'host = "127.0.0.1"',
        'name = "2号点 柳岸亲水平台"\nname_en = "Spot 2 Liu\'an waterside deck"\n'
        'host = "255.255.255.255"',
    )
    assert "255.255.255.255" in text
    station = tmp_path / "station.toml"
    station.write_text(text, encoding="utf-8")
    db = tmp_path / "log.db"
    argv = ["broadcast", "--lang", "en", "--config", str(station), "--zone", "沿江9处", "--tone"]
    argv.append("chime")
    assert main([*argv, "--db", str(db)]) == 1
    out = capsys.readouterr().out
    lines = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    [failed] = [line for line in lines if line.startswith("✗ ")]
    assert failed.startswith("✗ 2号点 柳岸亲水平台 (255.255.255.255:5006): FAILED, 0 packets")
    assert "send errors" in failed
    assert sum(line.startswith("✓ ") for line in lines) == 8
    assert out.rstrip().endswith("8 of 9 speaker(s) sent, 1 failed")
