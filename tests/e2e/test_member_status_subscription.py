"""A qualifying order recorded on one API process upgrades the member, and the member's
app, subscribed over graphql-transport-ws to another process, gets one update (Redis)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from tests.support import backends
from tests.support.servers import cli, environment, server

SUBSCRIBE = """
subscription {
  memberStatusChanged {
    customerId
    tierChange { fromTier toTier reason }
    pointsChange { delta balance entryKinds }
    membership { tier { code } progress { nextTier remaining } }
    points { balance }
  }
}"""


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


async def _graphql(base: str, key: str, query: str, variables: dict[str, object]) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            base + "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {key}"},
        )
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


@pytest.mark.postgres
@pytest.mark.redis
async def test_an_upgrade_reaches_the_members_app_once(shared_env: dict[str, str]) -> None:
    admin = cli(["apikey", "create", "--role", "ADMIN", "--name", "e2e"], shared_env).strip()
    with server(shared_env) as first, server(shared_env) as second:
        # Given a member with a customer token, listening on the second process
        created = await _graphql(
            first,
            admin,
            "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { id } } }",
            {"i": {"email": "app@example.com"}},
        )
        customer_id = created["customerCreate"]["customer"]["id"]
        issued = await _graphql(
            first,
            admin,
            "mutation($i: CustomerTokenCreateInput!) { customerTokenCreate(input: $i) { token { token } } }",
            {"i": {"customerId": customer_id}},
        )
        token = issued["customerTokenCreate"]["token"]["token"]
        ws = await websockets.connect(
            second.replace("http", "ws") + "/graphql",
            subprotocols=[Subprotocol("graphql-transport-ws")],
        )
        try:
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                )
            )
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
            await ws.send(
                json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
            )
            await asyncio.sleep(0.5)

            # When a qualifying order is recorded on the first process
            recorded = await _graphql(
                first,
                admin,
                "mutation($i: OrderRecordInput!) { orderRecord(input: $i) { userErrors { code } } }",
                {
                    "i": {
                        "channel": "shopify",
                        "externalId": "e2e-1",
                        "customer": {"id": customer_id},
                        "placedAt": datetime.now(UTC).isoformat(),
                        "total": {"amount": 60_000, "currency": "EUR"},
                    }
                },
            )
            assert recorded["orderRecord"]["userErrors"] == []

            # Then the app gets one update: the upgrade with the points it earned
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert message["type"] == "next", message
            change = message["payload"]["data"]["memberStatusChanged"]
            assert change["customerId"] == customer_id
            assert change["tierChange"] == {
                "fromTier": "MEMBER",
                "toTier": "SILVER",
                "reason": "UPGRADE",
            }
            assert change["pointsChange"] == {
                "delta": 800,
                "balance": 900,
                "entryKinds": ["EARN", "EARN"],
            }
            assert change["membership"] == {
                "tier": {"code": "SILVER"},
                "progress": {"nextTier": "GOLD", "remaining": 90_000},
            }
            assert change["points"] == {"balance": 900}
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), 1.5)
        finally:
            await ws.close()
