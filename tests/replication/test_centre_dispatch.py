"""Dispatching from the centre through a station's own API, with that station's token.

The centre screen reads a real PostgreSQL; the station is a real service (the runtime
served by :class:`ServiceHost` on TLS with operator tokens, ``tests/service``).  A page
sent from the centre is a command to that service: it is logged there with the token's
operator and position, and the central database gets no row from the centre.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from textual.widgets import DataTable, Input, Static

from console.centre.dispatch import load_dispatch, parse_dispatch
from console.centre.errors import DispatchConfigError
from console.centre.source import CentreSource
from console.replication import add_centre_reader, add_station, migrate
from console.service.host import ServiceHost
from console.tui.centre import CentreApp
from tests.replication.conftest import PgCluster
from tests.replication.test_centre import until
from tests.service.test_api_auth import TOKENS, served  # noqa: F401  (the station fixture)

STATION, OTHER = "滨江高新区派出所", "西湖派出所"


def dispatch_file(tmp_path: Path, host: ServiceHost, token: str) -> Path:
    assert host.tcp_url is not None
    (tmp_path / "binjiang.token").write_text(token + "\n", encoding="utf-8")
    path = tmp_path / "dispatch.toml"
    path.write_text(
        f'[[stations]]\nstation = "{STATION}"\n'
        f'api = "{host.tcp_url.replace("127.0.0.1", "localhost")}"\n'
        'token_file = "binjiang.token"\ncafile = "cert.pem"\n',
        encoding="utf-8",
    )
    return path


def status(app: CentreApp) -> str:
    return str(app.query_one("#status", Static).render())


async def test_the_centre_pages_through_the_stations_api_and_writes_no_row(
    pg: PgCluster,
    served: ServiceHost,  # noqa: F811
    tmp_path: Path,
) -> None:
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        migrate(conn)
        add_station(conn, STATION, "st_binjiang")
        add_station(conn, OTHER, "st_xihu")
        add_centre_reader(conn, "dutydesk_city")
    book = load_dispatch(dispatch_file(tmp_path, served, TOKENS["operator"]))
    app = CentreApp(CentreSource(pg.dsn("dutydesk_city")), "zh-CN", dispatch=book)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: app.snapshots >= 1, "the first snapshot")
        stations = app.query_one("#stations", DataTable)
        stations.focus()
        # A station without an API in the dispatch file stays read-only.
        stations.move_cursor(row=stations.get_row_index(OTHER))
        await pilot.press("d")
        assert "未配置派遣接口" in status(app)
        stations.move_cursor(row=stations.get_row_index(STATION))
        await pilot.press("d")
        for answer in ("2001，2002", "中心指令：XX路集合"):  # targets, then the text
            await until(pilot, lambda: bool(app.screen.query("#prompt-input")), "the dialog")
            app.screen.query_one("#prompt-input", Input).value = answer
            await pilot.press("enter")
        await until(pilot, lambda: bool(app.dispatched), "the station's page id")
        assert app.dispatched[0] in status(app)
    page = app.dispatched[0]
    runtime = served.runtime
    assert page in runtime.paging.pages
    runtime.log.flush()
    (command,) = runtime.log.query(kinds=["operator.command"])
    # The station's token decides who acted: its operator and position, not the centre's.
    assert (command.operator, command.data["position"]) == ("王所长", "指挥席")
    assert command.data["recipients"] == ["2001", "2002"]
    (created,) = runtime.log.query(kinds=["page.created"])
    assert created.page == page and created.operator == "王所长"
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (0,)


async def test_a_read_only_token_is_refused_by_the_station(
    pg: PgCluster,
    served: ServiceHost,  # noqa: F811
    tmp_path: Path,
) -> None:
    from console.centre.dispatch import dispatch
    from console.centre.errors import DispatchRefused

    book = load_dispatch(dispatch_file(tmp_path, served, TOKENS["readonly"]))
    api = book.get(STATION)
    assert api is not None
    with pytest.raises(DispatchRefused) as refused:
        await dispatch(api, ["2001"], "不应发出")
    assert refused.value.message.startswith(STATION)
    assert served.runtime.paging.pages == {}


def test_the_dispatch_file_names_where_the_token_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        '[[stations]]\nstation = "东湖"\napi = "https://donghu:7443/"\n'
        'token_env = "DD_TEST_TOKEN"\n'
    )
    monkeypatch.delenv("DD_TEST_TOKEN", raising=False)
    with pytest.raises(DispatchConfigError, match="DD_TEST_TOKEN"):
        parse_dispatch(text, tmp_path)
    monkeypatch.setenv("DD_TEST_TOKEN", "s3cret")
    book = parse_dispatch(text, tmp_path)
    api = book.get("东湖")
    assert api is not None and (api.url, api.token) == ("https://donghu:7443", "s3cret")
    assert "s3cret" not in repr(book) and book.get("西湖") is None
    with pytest.raises(DispatchConfigError, match="https://"):
        parse_dispatch(text.replace("https://", "http://"), tmp_path)
