"""``dutydesk doctor`` against the simulator over a pty, bare ptys, stub ports and stub sound.

Each bad case is one thing a technician meets on the bench: no such device, a port that
answers at another baud or not at all, a port someone else holds, a missing sound card,
a speaker address that resolves to nothing.  Waits are bounded reads on real ptys and
sockets with short AT time-outs; nothing sleeps.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pty
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import serial

from console.cli import main
from console.config import demo_station
from console.doctor.model import EXIT_COULD_NOT_RUN, EXIT_OK, EXIT_PROBLEMS, Report, Status
from console.doctor.render import can_encode, render_lines
from console.doctor.runner import DoctorEnvironment, DoctorOptions, run_doctor
from console.simulator import define_network, device_path, stop_network
from console.voice.errors import PortAudioMissing
from drivers.errors import PortError

FAST = 0.3  # seconds per AT answer: the simulator answers in milliseconds


def no_sound() -> ModuleType:
    raise PortAudioMissing("sound cards unavailable: PortAudio library not found")


def env(**kwargs: Any) -> DoctorEnvironment:
    kwargs.setdefault("at_timeout", FAST)
    kwargs.setdefault("sounddevice", no_sound)
    return DoctorEnvironment(**kwargs)


def statuses(report: Report) -> dict[str, Status]:
    """check -> worst status seen for it."""
    order = [Status.SKIP, Status.INFO, Status.OK, Status.WARN, Status.FAIL]
    out: dict[str, Status] = {}
    for f in report.findings:
        if f.area == "serial":
            old = out.get(f.check)
            if old is None or order.index(f.status) > order.index(old):
                out[f.check] = f.status
    return out


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    """The built-in simulator on a pty, on its own thread (the doctor is synchronous)."""
    url = "sim://doctor-test"
    with contextlib.ExitStack() as stack:
        define_network(demo_station(), url, background_traffic=False)
        stack.callback(stop_network, url)
        yield device_path(url)  # the pty itself: the doctor checks it as a device


# --- the good case --------------------------------------------------------------------


def test_simulator_over_pty_passes_every_serial_check(sim_url: str) -> None:
    report = run_doctor(DoctorOptions(gateway=sim_url), env())
    serial_checks = statuses(report)
    for check in ("port", "permissions", "busy", "baud", "echo", "mode", "identity", "dialect"):
        assert serial_checks[check] is Status.OK, (check, report.as_dict())
    assert serial_checks["services"] is Status.OK
    assert "1000" in (report.by_check("identity") or pytest.fail()).message
    assert "DUTYDESK" in (report.by_check("vendor") or pytest.fail()).message
    # PortAudio missing with no device named: a warning, not a failure.
    assert (report.by_check("portaudio") or pytest.fail()).status is Status.WARN
    assert report.exit_code == EXIT_OK


def test_cli_good_case_prints_marks_and_exits_0(
    sim_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["doctor", "--gateway", sim_url, "--timeout", str(FAST), "--ascii"])
    out = capsys.readouterr().out
    assert code == EXIT_OK, out
    assert "[ok]   serial: the gateway answers AT at 115200 baud" in out
    assert "All checks passed." in out


def test_cli_json(sim_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["doctor", "--gateway", sim_url, "--timeout", str(FAST), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == doc["exit"] == EXIT_OK
    assert {"area", "check", "status", "message", "hint"} <= set(doc["findings"][0])


# --- the port -------------------------------------------------------------------------


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    missing = str(tmp_path / "ttyUSB7")
    report = run_doctor(DoctorOptions(gateway=missing), env())
    port = report.by_check("port")
    assert port is not None and port.status is Status.FAIL
    assert f"{missing} does not exist" in port.message
    assert "/dev/serial/by-id" in port.hint
    assert report.by_check("baud") is None  # nothing after the first failure
    assert report.exit_code == EXIT_PROBLEMS


def test_cli_missing_path_exits_1_with_cross(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    buf = sys.stdout
    code = main(["doctor", "--gateway", str(tmp_path / "nope")])
    buf.flush()
    text = buf.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
    assert code == EXIT_PROBLEMS
    assert "✗ serial:" in text and "→ Plug in the USB-serial adapter" in text


def test_unreadable_device_names_the_group(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can open anything")
    dev = tmp_path / "ttyFAKE"
    dev.write_text("")
    dev.chmod(0o600 & 0o000)
    report = run_doctor(DoctorOptions(gateway=str(dev)), env())
    perm = report.by_check("permissions")
    assert perm is not None and perm.status is Status.FAIL
    assert "usermod -aG" in perm.hint


@pytest.fixture
def bare_pty() -> Iterator[str]:
    """A pty with nothing on the other side: it never answers, at any baud."""
    master, slave = pty.openpty()
    yield os.ttyname(slave)
    os.close(slave)
    os.close(master)


def test_silent_port_tries_every_common_baud(bare_pty: str) -> None:
    report = run_doctor(DoctorOptions(gateway=bare_pty, baud=115200), env(at_timeout=0.1))
    baud = report.by_check("baud")
    assert baud is not None and baud.status is Status.FAIL
    assert "no answer to AT at 115200 baud nor at any of 9600, 19200, 38400" in baud.message
    assert "PEI" in baud.hint
    assert report.exit_code == EXIT_PROBLEMS


def test_busy_port_names_the_holder(sim_url: str) -> None:
    with serial.Serial(sim_url, exclusive=True):
        report = run_doctor(DoctorOptions(gateway=sim_url), env())
    busy = report.by_check("busy")
    assert busy is not None and busy.status is Status.FAIL
    assert f"pid {os.getpid()}" in busy.message and "this process" in busy.message
    assert report.by_check("baud") is None


# --- stub ports: answers only at one baud, vendor, mode, refusals ---------------------


class ScriptedPort:
    """A pyserial-like port answering from a table; silent unless opened at ``baud``."""

    def __init__(self, baud: int, answers: dict[str, list[str]], *, live_baud: int) -> None:
        self.live = baud == live_baud
        self.answers = answers
        self.out = bytearray()
        self.written: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self.written.append(data)
        if self.live:
            line = data.decode("ascii").strip().upper()
            reply = self.answers.get(line, ["OK"])
            self.out += b"".join(b"\r\n" + r.encode() + b"\r\n" for r in reply)
        return len(data)

    def read(self, size: int = 1) -> bytes:
        data, self.out = bytes(self.out[:size]), self.out[size:]
        return data

    @property
    def in_waiting(self) -> int:
        return len(self.out)

    def reset_input_buffer(self) -> None:
        self.out.clear()

    def close(self) -> None:
        pass


def opener_for(answers: dict[str, list[str]], live_baud: int) -> Callable[[str, int], Any]:
    ports: list[ScriptedPort] = []

    def opener(url: str, baud: int) -> ScriptedPort:
        port = ScriptedPort(baud, answers, live_baud=live_baud)
        ports.append(port)
        return port

    opener.ports = ports  # type: ignore[attr-defined]
    return opener


SEPURA = {
    "AT+GMI?": ["+GMI: SEPURA", "OK"],
    "AT+GMM?": ["+GMM: STP9040", "OK"],
    "AT+CTOM?": ["+CTOM: 0", "OK"],
    "AT+CNUMF?": ["+CNUMF: 6,09011638300023401", "OK"],
}


def test_answer_at_another_baud_says_which(monkeypatch: pytest.MonkeyPatch) -> None:
    opener = opener_for(SEPURA, live_baud=38400)
    report = run_doctor(
        DoctorOptions(gateway="socket://bench:4001", baud=115200), env(opener=opener)
    )
    baud = report.by_check("baud")
    assert baud is not None and baud.status is Status.FAIL
    assert "answers at 38400" in baud.message and "--baud 38400" in baud.hint
    dialect = report.by_check("dialect")
    assert dialect is not None and dialect.status is Status.WARN
    assert "sepura suggested (vendor SEPURA)" in dialect.message
    assert "--dialect sepura" in dialect.hint
    ident = report.by_check("identity")
    assert ident is not None and "ISSI 23401" in ident.message
    # Never ATZ: it can reboot a Sepura.
    sent = [w for p in opener.ports for w in p.written]  # type: ignore[attr-defined]
    assert not any(w.strip().upper() in (b"ATZ", b"AT&F") for w in sent)


def test_dmo_mode_refused_registration_and_wrong_issi(write_station: Any) -> None:
    answers = {
        **SEPURA,
        "AT+CTOM?": ["+CTOM: 1", "OK"],
        "AT+CTSP=1,3,130": ["+CME ERROR: 4"],
        "AT+CTSP=1,3,137": ["+CME ERROR: 4"],
    }
    station = write_station(
        '[station]\nname = "测试"\n[gateway]\nurl = "socket://bench:4001"\nissi = 1000\n'
        'baud = 38400\ndialect = "sepura"\n'
    )
    report = run_doctor(
        DoctorOptions(config=str(station)), env(opener=opener_for(answers, live_baud=38400))
    )
    checks = statuses(report)
    assert checks["mode"] is Status.FAIL and checks["identity"] is Status.FAIL
    assert checks["dialect"] is Status.OK
    services = [f for f in report.findings if f.check == "services"]
    assert [(f.status, f.message.split()[0]) for f in services] == [
        (Status.FAIL, "AT+CTSP=1,3,130"),
        (Status.WARN, "AT+CTSP=1,3,137"),
    ]
    assert "station file says 1000" in (report.by_check("identity") or pytest.fail()).message


def test_numeric_result_codes_are_reported() -> None:
    class NumericPort(ScriptedPort):
        def write(self, data: bytes, /) -> int:
            self.out += b"0\r"
            return len(data)

    def opener(url: str, baud: int) -> ScriptedPort:
        return NumericPort(baud, {}, live_baud=baud)

    report = run_doctor(DoctorOptions(gateway="socket://x:1"), env(opener=opener))
    codes = report.by_check("result codes")
    assert codes is not None and codes.status is Status.FAIL and "ATV1" in codes.hint


def test_open_failure_of_a_network_url_is_one_line() -> None:
    def opener(url: str, baud: int) -> Any:
        raise PortError(f"cannot open the gateway port {url}: [Errno 111] Connection refused")

    report = run_doctor(DoctorOptions(gateway="socket://127.0.0.1:9"), env(opener=opener))
    opened = report.by_check("open")
    assert opened is not None and opened.status is Status.FAIL
    assert "Connection refused" in opened.message and "(hint" not in opened.message


# --- sound devices ----------------------------------------------------------------------


class StubSoundDevice(ModuleType):
    """The part of python-sounddevice the doctor uses."""

    def __init__(self, devices: list[dict[str, Any]]) -> None:
        super().__init__("sounddevice")
        self.devices = devices

    def query_devices(self, device: Any = None, kind: str | None = None) -> Any:
        if device is None:
            return self.devices
        key = "max_input_channels" if kind == "input" else "max_output_channels"
        for d in self.devices:
            if str(device).lower() in d["name"].lower() and d[key] > 0:
                return d
        raise ValueError(f"No {kind} device matching {device!r}")


DEVICES = [
    {"name": "USB Audio CODEC: Audio (hw:1,0)", "max_input_channels": 1, "max_output_channels": 2},
    {"name": "HDA Intel PCH: ALC887 Analog", "max_input_channels": 2, "max_output_channels": 2},
]
AUDIO_STATION = (
    '[station]\nname = "测试"\n[gateway]\nurl = "sim://demo"\n'
    '[audio]\nradio_input = "USB Audio CODEC"\nradio_output = "USB Audio CODEC"\n'
    'headset_input = "Jabra"\n'
)


def test_missing_sound_device_lists_what_exists(write_station: Any) -> None:
    station = write_station(AUDIO_STATION)
    report = run_doctor(
        DoctorOptions(config=str(station), check_sound=True),
        env(sounddevice=lambda: StubSoundDevice(DEVICES), start_simulator=_no_sim),
    )
    sound = {f.check: f for f in report.findings if f.area == "sound"}
    assert sound["portaudio"].status is Status.OK
    assert sound["radio_input"].status is Status.OK
    assert sound["radio_output"].status is Status.OK
    jabra = sound["headset_input"]
    assert jabra.status is Status.FAIL
    assert "'Jabra' not found" in jabra.message
    assert "USB Audio CODEC: Audio (hw:1,0)" in jabra.message
    assert "HDA Intel PCH" in jabra.message
    assert report.exit_code == EXIT_PROBLEMS


def test_portaudio_missing_fails_when_devices_are_named(write_station: Any) -> None:
    station = write_station(AUDIO_STATION)
    report = run_doctor(DoctorOptions(config=str(station)), env(start_simulator=_no_sim))
    portaudio = report.by_check("portaudio")
    assert portaudio is not None and portaudio.status is Status.FAIL
    assert "libportaudio2" in portaudio.hint


def _no_sim(station: Any, url: str) -> tuple[str, Callable[[], None]]:
    """A station on sim:// whose gateway is not the point of the test: a missing path."""
    return "/nonexistent/ttySIM", lambda: None


# --- speakers -----------------------------------------------------------------------------


async def test_speaker_listening_nothing_listening_and_unresolvable() -> None:
    from fakes.speaker import FakeSpeaker

    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    free_port = probe.getsockname()[1]
    probe.close()  # now nothing listens there: the kernel answers "port unreachable"
    async with FakeSpeaker() as speaker:
        report = run_doctor(
            DoctorOptions(
                speakers=(
                    f"127.0.0.1:{speaker.port}",
                    f"127.0.0.1:{free_port}",
                    "no-such-speaker.invalid:5004",
                )
            ),
            env(speaker_wait=0.5),
        )
    lines = [(f.check, f.status, f.message) for f in report.findings if f.area == "speaker"]
    listening = [s for c, s, m in lines if c == "send" and f":{speaker.port}" in m]
    assert listening == [Status.OK]
    silent = [s for c, s, m in lines if c == "send" and f":{free_port}" in m]
    assert silent == [Status.WARN]
    unresolved = [s for c, s, m in lines if c == "resolve" and "no-such-speaker" in m]
    assert unresolved == [Status.FAIL]


def test_multicast_speaker_reports_route_and_ttl_or_how_to_add_one() -> None:
    report = run_doctor(DoctorOptions(speakers=("239.255.0.1:5004",)), env())
    route = report.by_check("route")
    assert route is not None
    if route.status is Status.OK:
        assert "TTL 1" in route.message
    else:
        assert "ip route add 224.0.0.0/4" in route.hint


# --- could not run, rendering ---------------------------------------------------------------


def test_nothing_to_check_and_bad_options_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["doctor"]) == EXIT_COULD_NOT_RUN
    assert main(["doctor", "--gateway", "/dev/null", "--dialect", "nope"]) == EXIT_COULD_NOT_RUN
    assert main(["doctor", "--speaker", "no-port"]) == EXIT_COULD_NOT_RUN
    bad = tmp_path / "bad.toml"
    bad.write_text("[station\n", encoding="utf-8")
    assert main(["doctor", "--config", str(bad)]) == EXIT_COULD_NOT_RUN
    err = capsys.readouterr().err
    assert err.count("dutydesk doctor: could not run:") == 4
    assert "Traceback" not in err


def test_ascii_fallback_when_the_terminal_cannot_show_marks() -> None:
    report = Report()
    report.add("serial", "port", Status.OK, "fine")
    report.add("serial", "baud", Status.FAIL, "no answer", "check the cable")
    ascii_stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    assert not can_encode(ascii_stream)
    assert can_encode(io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    lines = render_lines(report, unicode=False)
    assert lines == [
        "[ok]   serial: fine",
        "[FAIL] serial: no answer",
        "    -> check the cable",
        "1 problem found.",
    ]
    assert all(line.isascii() for line in lines)
    assert render_lines(report, unicode=True)[1].startswith("✗ ")
