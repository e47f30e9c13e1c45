"""The real ``dutydesk`` command in a real terminal (tmux): start, connect, F1, quit.

Everything else in ``tests/tui`` drives the App through Textual's Pilot; this runs the
installed console script exactly as an officer would -- demo station, in-process
simulator on real time, a fresh event log -- inside a detached tmux session on a private
server socket, reads the screen with ``tmux capture-pane -p`` (bounded polling, no
fixed sleeps) and checks that ``q`` ends the process with status 0.  The station's name
is in the terminal's title (``#{pane_title}``), where the console puts it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drivers.audio.tts import available_engine

TMUX = shutil.which("tmux")
DUTYDESK = Path(sys.executable).with_name("dutydesk")
STATION = "滨江高新区派出所"

pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)"),
    pytest.mark.skipif(
        not DUTYDESK.exists(), reason=f"the dutydesk console script is not installed at {DUTYDESK}"
    ),
]


@dataclass
class Terminal:
    """One detached tmux session (on its own server) running one command."""

    socket: str
    session: str
    rc_file: Path

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-u", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=10,
            check=False,
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def title(self) -> str:
        """The terminal's title (the console puts the station's name there)."""
        return self.tmux("display-message", "-p", "-t", self.session, "#{pane_title}")

    def press(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, what: Callable[[str], bool], timeout: float = 30.0) -> str:
        """Poll the screen until ``what(screen)``; fail with the last screen otherwise."""
        end = time.monotonic() + timeout
        text = ""
        while time.monotonic() < end:
            text = self.screen()
            if what(text):
                return text
            time.sleep(0.1)
        pytest.fail(f"screen did not show what was expected in {timeout:g} s:\n{text}")

    def quit(self) -> None:
        """``q``, and Enter if the console asks first (something is still live)."""
        self.press("q")
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if self.rc_file.exists() and self.rc_file.read_text().strip():
                return
            if "确定退出" in self.screen() or "quit anyway" in self.screen():
                self.press("Enter")
                return
            time.sleep(0.1)

    def exit_status(self, timeout: float = 20.0) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.rc_file.exists() and self.rc_file.read_text().strip():
                return int(self.rc_file.read_text().strip())
            time.sleep(0.1)
        pytest.fail(f"dutydesk did not exit in {timeout:g} s:\n{self.screen()}")


def stop_services_under(folder: Path) -> None:
    """Stop the station services the consoles started for logs in ``folder`` (they run
    detached, in their own session, so killing the terminal does not stop them)."""
    from console.service.paths import registrations

    for reg in registrations():
        if Path(reg.log).resolve().is_relative_to(folder.resolve()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(reg.pid, signal.SIGKILL)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    started: list[Terminal] = []

    def start(*args: str, size: tuple[int, int] = (100, 30)) -> Terminal:
        assert TMUX is not None
        name = f"dutydesk-test-{uuid.uuid4().hex[:8]}"
        term = Terminal(name, "desk", tmp_path / f"rc-{name}")
        command = " ".join(
            [
                shlex.quote(str(DUTYDESK)),
                "--db",
                shlex.quote(str(tmp_path / "events.db")),
                *map(shlex.quote, args),
            ]
        )
        env = {
            **os.environ,
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "xterm-256color",
        }
        subprocess.run(
            [
                TMUX,
                "-u",
                "-L",
                term.socket,
                "-f",
                os.devnull,
                "new-session",
                "-d",
                "-s",
                term.session,
                "-x",
                str(size[0]),
                "-y",
                str(size[1]),
                f"cd {shlex.quote(str(tmp_path))}; {command}; echo $? > {term.rc_file}; sleep 30",
            ],
            env=env,
            check=True,
            timeout=10,
        )
        started.append(term)
        return term

    yield start
    for term in started:
        term.tmux("kill-server")
    stop_services_under(tmp_path)


def test_console_in_tmux_connects_shows_help_and_quits(terminal: Callable[..., Terminal]) -> None:
    term = terminal()
    screen = term.wait_for(lambda s: "已连接" in s)
    term.wait_for(lambda _s: STATION in term.title() or STATION in term.screen(), timeout=5)
    assert "单元与通话组" in screen and "sim://demo" in screen
    # no station file anywhere: the demo, and it says so on the status bar and the title
    assert any("演示 DEMO" in line and "已连接" in line for line in screen.splitlines())
    term.wait_for(lambda _s: "演示 DEMO" in term.title(), timeout=5)
    term.press("F1")
    help_screen = term.wait_for(lambda s: "按键说明" in s)
    assert "点名" in help_screen and "演练" in help_screen
    term.press("Escape")
    term.wait_for(lambda s: "按键说明" not in s)
    term.press("q")
    assert term.exit_status() == 0


def test_console_in_tmux_in_english(terminal: Callable[..., Terminal]) -> None:
    term = terminal("--lang", "en")
    screen = term.wait_for(lambda s: "connected" in s and "Units & groups" in s)
    assert "sim://demo" in screen
    term.wait_for(lambda _s: "Binjiang Hi-Tech Park Police Station" in term.title(), timeout=5)
    term.press("F1")
    help_screen = term.wait_for(lambda s: "Keys" in s and "Roll call" in s)
    assert "Drill" in help_screen
    term.press("Escape")
    term.wait_for(lambda s: "Esc or F1 closes" not in s)
    term.press("q")
    assert term.exit_status() == 0


def test_alarm_over_the_log_and_f12_at_80x24(
    terminal: Callable[..., Terminal], radios: Any
) -> None:
    """The shipped console at 80x24: F12 is in the footer, an emergency raised while the
    F7 log is open shows there, F12 names it and asks, Enter takes it."""
    term = terminal("--gateway", radios.url, size=(80, 24))
    # the status bar may be painted before the footer below it: wait for both
    screen = term.wait_for(lambda s: "已连接" in s and "f12 确认告警" in s)
    assert "f12 确认告警" in screen.rstrip().splitlines()[-1]
    term.press("F7")
    term.wait_for(lambda s: "事件日志 — Enter" in s)
    radios.call(lambda sim: sim.radio(2004).send_status(0))
    shown = term.wait_for(lambda s: "ALM-0001" in s, timeout=10)
    assert "江畔幼儿园保安队" in shown and "F12 确认" in shown and "事件日志 — Enter" in shown
    term.press("F12")
    asked = term.wait_for(lambda s: "确认告警 ALM-0001" in s)
    assert "紧急状态" in asked
    term.press("F12")  # twice: still the one question (a second would stay on screen)
    term.press("Enter")
    term.wait_for(lambda s: "ALM-0001" not in s and "事件日志 — Enter" in s)
    term.press("Escape")
    term.wait_for(lambda s: "单元与通话组" in s)
    term.quit()
    assert term.exit_status() == 0


def _console_pid(term: Terminal) -> int:
    """The ``dutydesk`` process in the pane (the pane's shell runs it)."""
    shell = int(term.tmux("display-message", "-p", "-t", term.session, "#{pane_pid}").strip())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == shell:
                return int(stat.parent.name)
    pytest.fail("no dutydesk process under the pane's shell")


def test_console_killed_mid_page_the_service_completes_it_and_the_next_console_shows_it(
    terminal: Callable[..., Terminal], tmp_path: Path
) -> None:
    """The real console is a face of the station service it started: killed with SIGKILL
    while a page is in flight, the service goes on (the radios' answers are logged after
    the console is gone), and the next console attaches and shows the page."""
    from console.eventlog import EventLog
    from console.service.paths import find_service

    db = tmp_path / "events.db"
    term = terminal()
    term.wait_for(lambda s: "已连接" in s)
    service = find_service(log=db)
    assert service is not None, "the console started no station service"
    page = subprocess.run(
        [str(DUTYDESK), "page", "--db", str(db), "--unit", "2005",
         "--text", "交通事故", "--wait", "0", "--json", "--operator", "李警官"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "XDG_DATA_HOME":
        str(tmp_path / "data")},
    )  # fmt: skip
    assert page.returncode in (0, 1), page.stderr  # 1: not all answered within --wait 0
    page_id = json.loads(page.stdout)["page"]
    term.wait_for(lambda s: page_id in s)  # the shell's page is on the console's board
    os.kill(_console_pid(term), signal.SIGKILL)
    killed_at = time.time()
    assert term.exit_status() != 0
    end = time.monotonic() + 60
    answered: list[int] = []
    while time.monotonic() < end and not answered:
        with EventLog.open_readonly(db) as log:
            answered = sorted(
                int(r.unit)
                for r in log.query(kinds=["ladder.acknowledged"], page=page_id)
                if r.unit is not None and r.wall > killed_at
            )
        time.sleep(0.2)
    assert answered == [2005], "the service did not go on with the page"
    still = find_service(log=db)
    assert still is not None and still.pid == service.pid
    again = terminal()
    again.wait_for(lambda s: page_id in s and "已连接" in s)
    assert find_service(log=db) == still  # attached to the same service, not a new one
    again.press("q")
    assert again.exit_status() == 0


@pytest.fixture
def fake_speaker(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """The real ``dutydesk fake-speaker`` on a free UDP port (it prints one line per
    broadcast it received, after the stream ends)."""
    proc = subprocess.Popen(
        [str(DUTYDESK), "fake-speaker", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert "listening" in first, proc.stderr.read() if proc.stderr else first
    yield proc, int(first.rsplit("port ", 1)[1].split(";")[0])
    proc.kill()
    proc.wait(10)


def test_f2_with_a_zone_sends_rtp_to_the_speaker_and_f8_goes_through_the_voice_path(
    terminal: Callable[..., Terminal],
    tmp_path: Path,
    fake_speaker: tuple[subprocess.Popen[str], int],
    write_demo_station: Callable[[int], Path],
) -> None:
    """The shipped console on the station service: a page with a loudspeaker zone plays
    on the (fake) speaker over RTP, and F8 keys the radio through the service's voice
    path, which logs ``voice.ptt`` with the officer's name."""
    if available_engine() is None:
        pytest.skip(
            "the spoken broadcast needs a speech synthesiser "
            "(pip install espeakng-loader, or the Debian package espeak-ng)"
        )
    from console.eventlog import EventLog

    speaker, port = fake_speaker
    station = write_demo_station(port)
    term = terminal("--config", str(station), "--operator", "王警官", size=(120, 45))
    term.wait_for(lambda s: "已连接" in s)
    term.press("F2")
    term.wait_for(lambda s: "新建呼叫" in s and "预设消息" in s)
    term.press("2", "0", "0", "1")
    term.wait_for(lambda s: "显示 1/58" in s)
    term.press("Enter")
    time.sleep(0.3)  # keys typed by a person come apart; tmux would send them as one burst
    term.press("Space")
    term.wait_for(lambda s: "已选 1 项" in s)  # unit 2001
    term.press("Tab")
    time.sleep(0.3)
    term.press("Enter")  # the first prepared message
    term.wait_for(lambda s: "未戴安全帽" in s.split("消息内容")[-1] or "安全帽" in s)
    for key in ("Tab", "Tab", "Tab", "Space"):  # the template put focus on the text
        time.sleep(0.2)
        term.press(key)  # past two modes: loudspeakers on
    zones_shown = term.wait_for(lambda s: "广播分区" in s and "沿江9处" in s)  # the zones appear
    assert "快速告警（组短信）" in zones_shown  # the per-page fast-alert choice, unticked here
    for key in ("Tab", "Tab"):  # past the fast-alert choice, onto the zones
        term.press(key)
        time.sleep(0.3)
    term.press("Space")  # the first zone
    time.sleep(0.3)
    term.press("C-s")
    term.wait_for(lambda s: "广播到 1 个分区" in s)
    term.press("Enter")
    assert speaker.stdout is not None
    line = speaker.stdout.readline()  # printed when the stream ends (bounded: TTS length)
    assert line.startswith("rtp ") and "pcmu" in line, line
    term.press("F8")
    term.wait_for(lambda s: "讲话" in s and "通话组" in s)
    term.press("Space")
    db = tmp_path / "events.db"
    end = time.monotonic() + 20
    ptt: list[Any] = []
    while time.monotonic() < end and not ptt:
        with EventLog.open_readonly(db) as log:
            ptt = list(log.query(kinds=["voice.ptt"]))
        time.sleep(0.1)
    assert ptt and ptt[0].operator == "王警官", "F8 did not go through the voice path"
    term.press("Space")  # let go
    term.wait_for(lambda s: "未按讲话" in s)
    term.press("Escape")
    term.wait_for(lambda s: "单元与通话组" in s)  # (Esc then q at once would be Alt+Q)
    term.quit()  # the page may still wait for answers: q asks first
    assert term.exit_status() == 0


def test_closing_the_terminal_ends_the_console_and_leaves_the_service_on_duty(
    terminal: Callable[..., Terminal], tmp_path: Path
) -> None:
    """SIGHUP (the window closed): the console ends at once, the service it attached to
    goes on (it lingers while a face or a page needs it)."""
    from console.service.paths import find_service

    term = terminal()
    term.wait_for(lambda s: "已连接" in s)
    pid = _console_pid(term)
    service = find_service(log=tmp_path / "events.db")
    assert service is not None
    term.tmux("kill-session", "-t", term.session)

    def running(pid: int) -> bool:  # a zombie waiting for its reaper has ended too
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    end = time.monotonic() + 15
    while time.monotonic() < end and running(pid):
        time.sleep(0.05)
    assert not running(pid), "the console outlived its terminal"
    assert find_service(log=tmp_path / "events.db") == service
