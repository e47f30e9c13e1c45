"""Which station file a command uses, and where per-user files live.

A real desk must never page a simulator because nobody said which station it is, so the
file is looked for in a fixed order -- ``--config``, then ``$DUTYDESK_CONFIG``, then the
user's config folder, then the system's (``platformdirs``: ``~/.config/dutydesk`` and
``/etc/xdg/dutydesk`` on Linux, the usual folders elsewhere) -- and only when none is
found does the built-in demo station start, saying so (:attr:`StationSource.demo`).
A name given on purpose (the option or the variable) that cannot be read is an error,
never a silent fall back to the demo.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import platformdirs

from console.errors import ConfigError
from console.i18n import Phrase, register

APP = "dutydesk"
ENV_VAR = "DUTYDESK_CONFIG"
STATION_FILE = "station.toml"
WORDS = register(
    {
        "config.none_found": (
            "没有指定配置文件，也没有找到",
            "no station file given and none found",
        ),
        "config.hint.none_found": (
            "dutydesk config check 配置文件.toml",
            "dutydesk config check station.toml",
        ),
        "config.env_unreadable": (
            "${var} 指向 {named}，这不是可读取的文件",
            "${var} names {named}, which is not a readable file",
        ),
        "config.hint.env_unreadable": (
            "请改正或删除 ${var}（或用 --config 指定文件）",
            "fix or unset {var} (or give --config FILE)",
        ),
    }
)

Origin = Literal["option", "env", "user", "system", "demo"]


@dataclass(frozen=True)
class StationSource:
    """Where the station came from: a file found in the lookup order, or the demo."""

    path: Path | None
    origin: Origin

    @property
    def demo(self) -> bool:
        """No station file anywhere: the built-in demo on the simulator runs."""
        return self.path is None


def user_config_file() -> Path:
    """``<user config dir>/station.toml`` (``$XDG_CONFIG_HOME/dutydesk`` on Linux)."""
    return Path(platformdirs.user_config_dir(APP)) / STATION_FILE


def system_config_files() -> list[Path]:
    """``station.toml`` in each system config folder (``$XDG_CONFIG_DIRS``), in order."""
    dirs = platformdirs.site_config_dir(APP, multipath=True).split(os.pathsep)
    return [Path(d) / STATION_FILE for d in dirs if d]


def user_log_dir() -> Path:
    """The per-user folder of the console's own log files (not the event log)."""
    return Path(platformdirs.user_log_dir(APP))


def find_station_file(
    option: str | os.PathLike[str] | None, environ: Mapping[str, str] | None = None
) -> StationSource:
    """The station file by the lookup order (see the module docstring)."""
    env = os.environ if environ is None else environ
    if option:
        return StationSource(Path(option), "option")
    named = env.get(ENV_VAR, "").strip()
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(
                Phrase("config.env_unreadable", var=ENV_VAR, named=named),
                path=named,
                hint=Phrase("config.hint.env_unreadable", var=ENV_VAR),
            )
        return StationSource(path, "env")
    user = user_config_file()
    if user.is_file():
        return StationSource(user, "user")
    for path in system_config_files():
        if path.is_file():
            return StationSource(path, "system")
    return StationSource(None, "demo")


def lookup_help() -> str:
    """The lookup order in one sentence, for ``--help`` and hints."""
    system = ", ".join(str(p) for p in system_config_files())
    return (
        f"--config FILE, else ${ENV_VAR}, else {user_config_file()}, else {system}; "
        "with none of them the demo station on the built-in simulator starts"
    )
