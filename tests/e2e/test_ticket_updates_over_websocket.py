"""ticketUpdated over a real graphql-transport-ws connection to a served instance.

Embedded mode (a SQLite file, no Redis): the server's in-process broadcast carries the
committed ticket events to its WebSocket clients. A customer token hears only its own
tickets and never internal notes; an agent hears everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from api.tokens import CustomerTokens
from persistence.db import make_engine
from tests.integration.tickets.seed import make_customer
from tests.support.servers import SECRET, cli, environment, server

SUBSCRIBE = """subscription { ticketUpdated {
  kind ticketId fromStatus toStatus
  message { body isNote }
  ticket { status }
} }"""
CREATE = """mutation($input: TicketCreateInput!) {
  ticketCreate(input: $input) { ticket { id } userErrors { code message } }
}"""
REPLY = """mutation($input: TicketReplyInput!) {
  ticketReply(input: $input) { message { id } userErrors { code message } }
}"""
TRANSITION = """mutation($input: TicketTransitionInput!) {
  ticketTransition(input: $input) { ticket { id } userErrors { code message } }
}"""


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    path: Path = tmp_path_factory.mktemp("e2e-tickets") / "patronage.db"
    env = environment(f"sqlite:///{path}", None)
    cli(["migrate"], env)
    return env


async def _customer(env: dict[str, str]) -> tuple[object, str]:
    engine = make_engine(env["DATABASE_URL"].replace("sqlite://", "sqlite+aiosqlite://", 1))
    try:
        customer_id = await make_customer(engine)
    finally:
        await engine.dispose()
    tokens = CustomerTokens(SECRET, timedelta(minutes=15))
    token, _ = tokens.issue(customer_id, issued_by=customer_id, now=datetime.now(UTC))
    return customer_id, token


@contextlib.asynccontextmanager
async def _subscription(base: str, token: str) -> AsyncIterator[websockets.ClientConnection]:
    ws = await websockets.connect(
        base.replace("http", "ws") + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
    )
    try:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
        yield ws
    finally:
        await ws.close()


async def _next(ws: websockets.ClientConnection) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert message["type"] == "next", message
    ticket: dict[str, Any] = message["payload"]["data"]["ticketUpdated"]
    return ticket


async def _nothing_more(ws: websockets.ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.recv(), 1.0)


async def _post(base: str, token: str, query: str, input_: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            base + "/graphql",
            json={"query": query, "variables": {"input": input_}},
            headers={"authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    assert payload["userErrors"] == [], payload
    return payload


async def test_customers_hear_their_own_tickets_without_notes_and_agents_hear_all(
    embedded_env: dict[str, str],
) -> None:
    agent = cli(["apikey", "create", "--role", "SUPPORT", "--name", "e2e"], embedded_env).strip()
    _, alice = await _customer(embedded_env)
    _, bob = await _customer(embedded_env)
    with server(embedded_env) as base:
        async with _subscription(base, agent) as staff_ws, _subscription(base, alice) as alice_ws:
            await asyncio.sleep(0.5)  # both subscriptions are registered
            ticket_input = {"kind": "INQUIRY", "subject": "Help", "body": "Question"}
            await _post(base, bob, CREATE, ticket_input)
            created = await _post(base, alice, CREATE, ticket_input)
            ticket_id = created["ticket"]["id"]
            await _post(base, agent, REPLY, {"id": ticket_id, "body": "VIP", "isNote": True})
            await _post(base, agent, TRANSITION, {"id": ticket_id, "status": "IN_PROGRESS"})
            await _post(base, agent, REPLY, {"id": ticket_id, "body": "On it"})

            staff = [await _next(staff_ws) for _ in range(7)]
            assert [(u["kind"], (u["message"] or {}).get("body")) for u in staff] == [
                ("CREATED", None),
                ("REPLIED", "Question"),  # Bob's first message
                ("CREATED", None),
                ("REPLIED", "Question"),  # Alice's first message
                ("REPLIED", "VIP"),
                ("TRANSITIONED", None),
                ("REPLIED", "On it"),
            ]
            assert staff[4]["message"]["isNote"] is True

            mine = [await _next(alice_ws) for _ in range(4)]
            assert [u["ticketId"] for u in mine] == [ticket_id] * 4
            assert [(u["kind"], (u["message"] or {}).get("body")) for u in mine] == [
                ("CREATED", None),
                ("REPLIED", "Question"),
                ("TRANSITIONED", None),
                ("REPLIED", "On it"),
            ]
            assert (mine[2]["fromStatus"], mine[2]["toStatus"]) == ("OPEN", "IN_PROGRESS")
            assert mine[3]["ticket"]["status"] == "IN_PROGRESS"
            await _nothing_more(alice_ws)
