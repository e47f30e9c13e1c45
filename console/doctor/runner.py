"""Run every doctor check for one set of options and collect a :class:`Report`.

The injectable pieces (how a serial port is opened, how ``sounddevice`` is loaded, the
AT time-out) are what the tests replace: a pty, a stub ``sounddevice``, a short wait.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from console.config import Station, is_simulated, load_station
from console.doctor.audiocheck import SoundDeviceLoader, check_audio
from console.doctor.model import Report, Status
from console.doctor.netcheck import SpeakerAddress, check_speaker, parse_host_port
from console.doctor.serialcheck import Opener, SerialChecks, SerialPortSetup
from console.errors import ConsoleError
from console.voice.devices import load_sounddevice
from drivers.errors import DriverError
from drivers.link.port import open_serial
from drivers.pei.dialect import load_dialect


class DoctorCannotRun(ConsoleError):
    """The options themselves are unusable (bad station file, unknown dialect): exit 2."""


@dataclass(frozen=True)
class DoctorOptions:
    """What to check; everything optional, the station file fills the gaps."""

    gateway: str | None = None
    baud: int | None = None
    dialect: str | None = None
    config: str | None = None
    speakers: tuple[str, ...] = ()
    check_sound: bool = True
    db: str | None = None
    """The event log whose replication to report (default: the per-user log)."""


@dataclass
class DoctorEnvironment:
    """The replaceable I/O of a doctor run (tests pass ptys and stubs)."""

    opener: Opener = open_serial
    sounddevice: SoundDeviceLoader = load_sounddevice
    at_timeout: float = 1.5
    speaker_wait: float = 0.3
    start_simulator: Callable[[Station, str], tuple[str, Callable[[], None]]] | None = None
    notes: list[str] = field(default_factory=list)


def _start_builtin_simulator(station: Station, url: str) -> tuple[str, Callable[[], None]]:
    """The station's simulated network behind ``url``, started; (its pty, how to stop)."""
    from console.simulator import define_network, device_path, stop_network

    define_network(station, url, background_traffic=False)
    return device_path(url), lambda: stop_network(url)


def _speakers(options: DoctorOptions, station: Station | None) -> list[SpeakerAddress]:
    ttl = station.audio.multicast_ttl if station is not None else 1
    out: list[SpeakerAddress] = []
    for text in options.speakers:
        try:
            target = parse_host_port(text)
        except ValueError as exc:
            raise DoctorCannotRun(str(exc), hint="--speaker 192.168.1.50:5004") from None
        out.append(SpeakerAddress(target.host, target.port, multicast_ttl=ttl))
    if station is not None:
        for zone in station.zones:
            for spk in zone.speakers:
                out.append(SpeakerAddress(spk.host, spk.port, spk.name, multicast_ttl=ttl))
    seen: set[tuple[str, int]] = set()
    unique = []
    for t in out:
        if (t.host, t.port) not in seen:
            seen.add((t.host, t.port))
            unique.append(t)
    return unique


def run_doctor(options: DoctorOptions, env: DoctorEnvironment | None = None) -> Report:
    """All checks; raises :class:`DoctorCannotRun` only when nothing sensible can run."""
    env = env or DoctorEnvironment()
    station: Station | None = None
    if options.config:
        try:
            station = load_station(options.config)
        except ConsoleError as exc:
            raise DoctorCannotRun(exc.message, hint=exc.hint) from None
    url = options.gateway or (station.gateway.url if station is not None else None)
    speakers = _speakers(options, station)
    if url is None and station is None and not speakers:
        raise DoctorCannotRun(
            "nothing to check",
            hint="Give --gateway /dev/ttyUSB0 and/or --speaker HOST:PORT, or --config FILE.",
        )
    report = Report()
    if url is not None:
        _serial(report, url, options, station, env)
    else:
        report.add("serial", "port", Status.SKIP, "no gateway given (--gateway or --config)")
    if options.check_sound:
        report.extend(check_audio(station.audio if station else None, env.sounddevice))
    if not speakers:
        report.add("speaker", "speakers", Status.SKIP, "no loudspeakers given or configured")
    for target in speakers:
        report.extend(check_speaker(target, wait=env.speaker_wait))
    if station is not None and station.replication.enabled:
        from console.doctor.replcheck import check_replication
        from console.service.paths import default_log_path

        log_path = Path(options.db) if options.db else default_log_path()
        report.extend(check_replication(station, log_path))
    return report


def _serial(
    report: Report,
    url: str,
    options: DoctorOptions,
    station: Station | None,
    env: DoctorEnvironment,
) -> None:
    dialect_name = options.dialect or (station.gateway.dialect if station else "etsi")
    try:
        dialect = load_dialect(dialect_name)
    except DriverError as exc:  # DialectError: unknown name, bad file
        raise DoctorCannotRun(exc.message, hint=exc.hint) from None
    baud = options.baud or (station.gateway.baud if station else dialect.baud)
    issi = station.gateway.issi if station else None
    stop: Callable[[], None] | None = None
    if is_simulated(url):
        starter = env.start_simulator or _start_builtin_simulator
        from console.config import demo_station

        real, stop = starter(station or demo_station(), url)
        report.add("serial", "simulator", Status.INFO, f"{url}: the built-in simulator at {real}")
        url = real
    try:
        target = SerialPortSetup(url, baud, dialect, issi)
        report.extend(SerialChecks(target, env.opener, timeout=env.at_timeout).run())
    finally:
        if stop is not None:
            stop()
