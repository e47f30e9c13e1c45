"""Dispatching from the centre through a station's own API, with that station's token.

Why not write to PostgreSQL: the central database is each station's *copy* of its log,
and a station must not be commanded by rows appearing in it (a station may only insert
its own rows; the centre only reads).  A page sent from the centre is a command to the
station's service, exactly like one from any other remote position: HTTPS, the station's
operator token, its roles and its own log of ``operator.command`` with the token's
operator and position.  The page then reaches the centre the usual way, shipped with the
rest of that station's log.

The dispatch file (``dutydesk centre --dispatch FILE``) names, per station, where its
service listens and where its token is kept -- never the token itself::

    [[stations]]
    station = "东湖派出所"                  # the station's name at the centre
    api = "https://donghu.example:7443"     # its [service] listen
    token_env = "DUTYDESK_TOKEN_DONGHU"     # or token_file = "tokens/donghu" (relative)
    cafile = "certs/donghu-ca.pem"          # optional: its certificate's CA (relative)
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DispatchConfigError, DispatchRefused

POSITION = "centre"
"""The position the centre's requests name (the station's token decides the real one)."""


@dataclass(frozen=True)
class StationApi:
    """Where one station's service listens, and the token the centre acts with there."""

    station: str
    url: str
    token: str = field(repr=False)
    cafile: str | None = None


@dataclass(frozen=True)
class DispatchBook:
    """The stations the centre may dispatch through (by their names at the centre)."""

    stations: tuple[StationApi, ...] = ()

    def get(self, station: str) -> StationApi | None:
        return next((s for s in self.stations if s.station == station), None)


def _token(entry: dict[str, object], base: Path, where: str) -> str:
    env, file = entry.get("token_env"), entry.get("token_file")
    if isinstance(env, str) and env:
        value = os.environ.get(env, "").strip()
        if not value:
            raise DispatchConfigError(
                f"{where}: the environment variable {env} (token_env) is not set",
                hint=f"export {env}=<the station's operator token> before starting the centre",
            )
        return value
    if isinstance(file, str) and file:
        path = base / file
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise DispatchConfigError(
                f"{where}: cannot read token_file {path}: {exc.strerror}"
            ) from None
        if not value:
            raise DispatchConfigError(f"{where}: token_file {path} is empty")
        return value
    raise DispatchConfigError(f"{where}: no token_env or token_file")


def parse_dispatch(text: str, base: Path, source: str = "dispatch file") -> DispatchBook:
    """The dispatch file's text (relative paths from ``base``) as a book of stations."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DispatchConfigError(f"{source}: {exc}") from None
    entries = doc.get("stations", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise DispatchConfigError(f"{source}: [[stations]] must be a list of tables")
    out: list[StationApi] = []
    for i, entry in enumerate(entries, 1):
        where = f"{source}: stations #{i}"
        station, url, cafile = entry.get("station"), entry.get("api"), entry.get("cafile")
        if not isinstance(station, str) or not station:
            raise DispatchConfigError(f"{where}: no station (its name at the centre)")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise DispatchConfigError(
                f"{where} ({station}): api must be the https:// address of its service",
                hint="a station's service takes remote commands over TLS only",
            )
        if any(s.station == station for s in out):
            raise DispatchConfigError(f"{where}: {station} is listed twice")
        token = _token(entry, base, f"{where} ({station})")
        ca = str(base / cafile) if isinstance(cafile, str) and cafile else None
        out.append(StationApi(station, url.rstrip("/"), token, ca))
    return DispatchBook(tuple(out))


def load_dispatch(path: str | os.PathLike[str]) -> DispatchBook:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DispatchConfigError(f"cannot read the dispatch file {file}: {exc.strerror}") from None
    return parse_dispatch(text, file.parent, str(file))


def split_names(text: str) -> list[str]:
    """``学校组, 2001，2002`` -> the station API's names (unit or group names, ISSIs)."""
    return [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]


async def dispatch(api: StationApi, names: list[str], text: str, *, voice: bool = False) -> str:
    """Page ``names`` at ``api``'s station through its own API; returns the page id.

    The station checks the token, the names and the text, and logs the command with
    the token's operator; its refusal comes back as :class:`DispatchRefused`."""
    from console.service.client import ServiceError, StationClient

    if not names:
        raise DispatchRefused("nothing to page: name units or groups of that station")
    try:
        async with StationClient(
            url=api.url, token=api.token, cafile=api.cafile, position=POSITION
        ) as client:
            return await client.page(names, text=text, voice=voice)
    except ServiceError as exc:
        raise DispatchRefused(f"{api.station}: {exc.message}", hint=exc.hint or None) from None
