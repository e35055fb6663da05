"""A NUL character (U+0000) in an operation sent over graphql-transport-ws is refused
before it runs, as over HTTP: an `error` message naming where the NUL is."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from tests.support.servers import cli, environment, server

TICKETS = "subscription($t: ID) { ticketUpdated(ticketId: $t) { kind } }"
TICKET_CREATE = """mutation($input: TicketCreateInput!) {
  ticketCreate(input: $input) { ticket { id } userErrors { code message } }
}"""


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    path: Path = tmp_path_factory.mktemp("e2e-nul") / "patronage.db"
    env = environment(f"sqlite:///{path}", None)
    cli(["migrate"], env)
    return env


async def _http(base: str, key: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
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


async def _operation(ws: Any, id_: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The first message the server sends for a new operation."""
    payload = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": id_, "type": "subscribe", "payload": payload}))
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert message["id"] == id_, message
    return message


def _refusal(message: dict[str, Any]) -> str:
    assert message["type"] == "error", message
    [error] = message["payload"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}, error
    assert "NUL" in error["message"]
    return str(error["message"])


async def test_nul_in_a_websocket_operation_is_refused_before_it_runs(
    embedded_env: dict[str, str],
) -> None:
    admin = cli(["apikey", "create", "--role", "ADMIN", "--name", "e2e"], embedded_env).strip()
    with server(embedded_env) as base:
        created = await _http(
            base,
            admin,
            "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { id } } }",
            {"i": {"email": "nul-ws@example.com"}},
        )
        customer_id = created["customerCreate"]["customer"]["id"]
        async with websockets.connect(
            base.replace("http", "ws") + "/graphql",
            subprotocols=[Subprotocol("graphql-transport-ws")],
        ) as ws:
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {admin}"}}
            await ws.send(json.dumps(init))
            ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert ack["type"] == "connection_ack", ack

            # A subscription: in a variable, then in a literal
            assert "$t" in _refusal(await _operation(ws, "1", TICKETS, {"t": "x\x00"}))
            literal = 'subscription { ticketUpdated(ticketId: "\\u0000") { kind } }'
            assert "ticketId" in _refusal(await _operation(ws, "2", literal, {}))

            # A mutation sent over the socket: refused, and nothing is written
            ticket = {"kind": "INQUIRY", "subject": "a\x00", "body": "b", "customerId": customer_id}
            message = await _operation(ws, "3", TICKET_CREATE, {"input": ticket})
            assert "$input.subject" in _refusal(message)

            # The connection is still usable
            ticket["subject"] = "fine"
            message = await _operation(ws, "4", TICKET_CREATE, {"input": ticket})
            assert message["type"] == "next", message
        tickets = await _http(base, admin, "{ tickets { totalCount } }", {})
        assert tickets["tickets"]["totalCount"] == 1
