"""The client API in one process: who may do what, and every action names its operator.

A real runtime (virtual time, no gateway) served by the real :class:`ServiceHost` on its
Unix socket and, with a throw-away self-signed certificate, on TLS TCP; requests go
through the real :class:`StationClient`.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from console.config import ApiToken, ServiceConfig, Station, demo_station
from console.errors import SimulatorUnavailable
from console.paging.model import AnswerMethod, Rung
from console.runtime import Runtime
from console.service.auth import new_token
from console.service.client import ServiceError, StationClient
from console.service.host import ServiceHost
from drivers.clock import VirtualClock


class NoSimulator:
    async def launch(self, station: Station) -> str:
        raise SimulatorUnavailable("no simulator in this test")

    async def stop(self) -> None:
        pass


def self_signed(tmp_path: Path) -> tuple[str, str]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


TOKENS: dict[str, str] = {}


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[ServiceHost]:
    if shutil.which("openssl") is None:
        pytest.skip("needs openssl to make a test certificate")
    cert, key = self_signed(tmp_path)
    op_token, op_digest = new_token()
    ro_token, ro_digest = new_token()
    TOKENS.update(operator=op_token, readonly=ro_token)
    service = ServiceConfig(
        listen="127.0.0.1:0",
        tls_cert=cert,
        tls_key=key,
        tokens=(
            ApiToken("王所长", op_digest, "operator", "指挥席"),
            ApiToken("报表室", ro_digest, "read-only", "报表室"),
        ),
    )
    station = replace(demo_station(), service=service)
    runtime = Runtime(
        station,
        gateway_url="sim://test",
        db_path=tmp_path / "events.db",
        clock=VirtualClock(),
        operator="张警官",
        simulator=NoSimulator(),
        log_background=False,
        signal_every=None,
        voice=False,
    )
    host = ServiceHost(runtime)
    runtime.add("api", host)
    await runtime.start()
    yield host
    await runtime.close()


def remote(host: ServiceHost, token: str | None, cafile: str) -> StationClient:
    assert host.tcp_url is not None
    url = host.tcp_url.replace("127.0.0.1", "localhost")
    return StationClient(url=url, token=token, cafile=cafile)


async def test_remote_without_a_token_is_refused(served: ServiceHost, tmp_path: Path) -> None:
    async with remote(served, None, str(tmp_path / "cert.pem")) as client:
        with pytest.raises(ServiceError) as err:
            await client.state()
    assert err.value.status == 401  # type: ignore[attr-defined]
    async with remote(served, "not-a-token", str(tmp_path / "cert.pem")) as client:
        with pytest.raises(ServiceError):
            await client.hello()


async def test_a_read_only_token_sees_but_cannot_page(served: ServiceHost, tmp_path: Path) -> None:
    async with remote(served, TOKENS["readonly"], str(tmp_path / "cert.pem")) as client:
        hello = await client.hello()
        assert hello["you"] == {"operator": "报表室", "position": "报表室", "role": "read-only"}
        state = await client.state()
        assert state["station"]["name"] == "滨江高新区派出所"
        with pytest.raises(ServiceError) as err:
            await client.page(["2001"], text="测试")
    assert err.value.status == 403  # type: ignore[attr-defined]
    assert served.runtime.paging.pages == {}


async def test_every_action_names_the_operator_and_the_position(
    served: ServiceHost, tmp_path: Path
) -> None:
    async with remote(served, TOKENS["operator"], str(tmp_path / "cert.pem")) as client:
        page_id = await client.page(["2001", "2002"], text="集合")
    async with StationClient(socket=str(served.socket), operator="张警官", position="值班台") as c:
        await c.post(f"/v1/pages/{page_id}/cancel")
    log = served.runtime.log
    log.flush()
    commands = [(r.operator, r.data["position"], r.data["command"])
                for r in log.query(kinds=["operator.command"])]  # fmt: skip
    assert commands == [("王所长", "指挥席", "page"), ("张警官", "值班台", "cancel")]
    (created,) = log.query(kinds=["page.created"])
    assert created.operator == "王所长"


async def test_bad_commands_get_a_clear_error_not_a_crash(served: ServiceHost) -> None:
    async with StationClient(socket=str(served.socket)) as client:
        with pytest.raises(ServiceError) as err:
            await client.page(["不存在的单位"], text="x")
        assert "不存在的单位" in err.value.message
        with pytest.raises(ServiceError) as err:
            await client.post("/v1/pages/P-nope/repage")
        assert err.value.status == 404  # type: ignore[attr-defined]
        with pytest.raises(ServiceError) as err:
            await client.post("/v1/incidents/INC-9/state", {"state": "closed"})
        assert (await client.hello())["api"] == 1


async def test_a_phone_answer_through_the_api_is_the_callers(served: ServiceHost) -> None:
    """What an attached console (``RemoteRuntime.mark_answered``) sends: the engine's rule
    applies and the log names the caller, not the service's own operator."""
    runtime = served.runtime
    async with StationClient(socket=str(served.socket), operator="李警官") as client:
        page_id = await client.page(["2001"], text="集合")
        body = {"unit": 2001, "method": "in_person", "rung": "en_route", "note": "到所里报到"}
        answer = await client.post(f"/v1/pages/{page_id}/acknowledge", body)
        assert answer["recorded"] is True
        again = await client.post(f"/v1/pages/{page_id}/acknowledge", {"unit": 2001})
        assert again["recorded"] is False  # already past 收到: nothing logged twice
        with pytest.raises(ServiceError) as err:
            await client.post(f"/v1/pages/{page_id}/acknowledge", {"unit": 2001, "rung": "sent"})
        assert err.value.status == 400  # type: ignore[attr-defined]
    rungs = runtime.paging.live_rungs(page_id, 2001)
    route = next(r for r in rungs if r.rung is Rung.EN_ROUTE)
    assert AnswerMethod.of(route) is AnswerMethod.IN_PERSON
    log = runtime.log
    log.flush()
    (action,) = log.query(kinds=["operator.action"])
    assert (action.operator, action.data["method"], action.data["rung"]) == (
        "李警官",
        "in_person",
        "en_route",
    )
    assert action.data["note"] == "到所里报到"
