"""A committed change in one API process reaches a WebSocket client of another (Redis)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from tests.support import backends
from tests.support.servers import cli, environment, server

SUBSCRIBE = "subscription { apiKeyChanged { apiKeyId role revoked } }"


async def _subscribe(base: str, token: str | None) -> websockets.ClientConnection:
    ws = await websockets.connect(
        base.replace("http", "ws") + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
    )
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    return ws


@pytest.fixture(scope="module")
def shared_env() -> Iterator[dict[str, str]]:
    pg, rd = backends.postgres_problem(), backends.redis_problem()
    if pg or rd:
        pytest.skip(pg or rd or "")
    url = backends.create_database()
    env = environment(url, backends.REDIS_URL)
    cli(["migrate"], env)
    yield env
    backends.drop_database(url)


@pytest.mark.postgres
@pytest.mark.redis
async def test_an_event_from_one_instance_reaches_a_client_of_another(
    shared_env: dict[str, str],
) -> None:
    admin = cli(["apikey", "create", "--role", "ADMIN", "--name", "e2e"], shared_env).strip()
    with server(shared_env) as first, server(shared_env) as second:
        ws = await _subscribe(second, admin)
        try:
            ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert ack["type"] == "connection_ack"
            await ws.send(
                json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
            )
            await asyncio.sleep(0.5)
            async with httpx.AsyncClient() as http:
                response = await http.post(
                    first + "/graphql",
                    json={
                        "query": 'mutation { apiKeyCreate(input: {name: "seen", role: MARKETER}) { apiKey { id } } }'
                    },
                    headers={"authorization": f"Bearer {admin}"},
                )
            created_id = response.json()["data"]["apiKeyCreate"]["apiKey"]["id"]
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert message["type"] == "next"
            assert message["payload"]["data"]["apiKeyChanged"] == {
                "apiKeyId": created_id,
                "role": "MARKETER",
                "revoked": False,
            }
        finally:
            await ws.close()


@pytest.mark.postgres
@pytest.mark.redis
async def test_a_websocket_without_credentials_is_rejected(shared_env: dict[str, str]) -> None:
    with server(shared_env) as base:
        ws = await _subscribe(base, None)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
