"""Which station file a command uses: --config, $DUTYDESK_CONFIG, the user's config
folder, the system's, and only with none of them the demo (issue 14, "Where files live").

The config folders are platformdirs' (``$XDG_CONFIG_HOME`` and ``$XDG_CONFIG_DIRS`` on
Linux); tests/conftest.py points both at empty per-test folders."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
from pathlib import Path

import pytest

from console.cli import main
from console.config.loader import select_station
from console.config.where import ENV_VAR, find_station_file
from console.errors import ConfigError
from console.logsetup import LOG_FILE, configure_logging


def station_text(name: str) -> str:
    """A minimal valid station file named ``name``."""
    return (
        f'[station]\nname = "{name}"\n\n[gateway]\nurl = "sim://demo"\n\n'
        '[[units]]\nissi = 2001\nalias = "一号单元"\nkind = "school"\n'
    )


def put(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "station.toml"
    path.write_text(station_text(name), encoding="utf-8")
    return path


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """The user's and the system's dutydesk config folders (as conftest set them)."""
    return (
        Path(os.environ["XDG_CONFIG_HOME"]) / "dutydesk",
        Path(os.environ["XDG_CONFIG_DIRS"]) / "dutydesk",
    )


def test_none_anywhere_is_the_demo() -> None:
    source = find_station_file(None)
    assert source.demo and source.origin == "demo" and source.path is None
    station, chosen = select_station(argparse.Namespace(config=None))
    assert chosen.demo and station.name == "滨江高新区派出所"


def test_order_option_env_user_system(
    tmp_path: Path, dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    user_dir, system_dir = dirs
    system = put(system_dir, "系统站")
    assert find_station_file(None).path == system
    assert find_station_file(None).origin == "system"
    user = put(user_dir, "用户站")
    assert (find_station_file(None).path, find_station_file(None).origin) == (user, "user")
    env = put(tmp_path / "env", "环境站")
    monkeypatch.setenv(ENV_VAR, str(env))
    assert (find_station_file(None).path, find_station_file(None).origin) == (env, "env")
    option = put(tmp_path / "opt", "参数站")
    assert find_station_file(str(option)).origin == "option"
    # The loaded station is the one found, and args.config names it for a service.
    args = argparse.Namespace(config=None)
    station, source = select_station(args)
    assert station.name == "环境站" and not source.demo and args.config == str(env)


def test_second_system_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{first}{os.pathsep}{second}")
    path = put(second / "dutydesk", "第二")
    assert find_station_file(None).path == path


def test_env_naming_a_missing_file_is_an_error_not_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dirs: tuple[Path, Path]
) -> None:
    put(dirs[0], "用户站")  # would be found next: still an error, never a silent fall back
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError) as err:
        find_station_file(None)
    assert ENV_VAR in str(err.value) and err.value.hint and ENV_VAR in err.value.hint


def test_config_check_finds_the_user_file(
    dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    put(dirs[0], "用户站")
    assert main(["config", "check"]) == 0
    assert "用户站" in capsys.readouterr().out


def test_help_names_the_lookup(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "$DUTYDESK_CONFIG" in out and "演示 / DEMO" in out


def test_log_file_rotates_and_takes_engine_warnings(tmp_path: Path) -> None:
    """A commit failure logged by the event-log writer lands in the technician's file."""
    root = logging.getLogger("dutydesk-test-root")
    root.propagate = False
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    path = configure_logging(folder=tmp_path / "log", extra=[Keep()], root=root)
    assert path == tmp_path / "log" / LOG_FILE
    again = configure_logging(folder=tmp_path / "log", root=root)  # replaces, never doubles
    assert again == path and len(root.handlers) == 1
    handler = root.handlers[0]
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes > 0 and handler.backupCount > 0
    root.getChild("console.eventlog.writer").warning("event log commit failed, %d events kept", 3)
    handler.flush()
    assert "event log commit failed, 3 events kept" in path.read_text(encoding="utf-8")
    assert not seen  # the first call's extra handler is gone
    configure_logging(folder=tmp_path / "log", root=root)
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()


def test_log_folder_that_cannot_be_made_leaves_the_file_out(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    root = logging.getLogger("dutydesk-test-root2")
    root.propagate = False
    assert configure_logging(folder=blocker / "log", root=root) is None
    assert root.handlers == []
