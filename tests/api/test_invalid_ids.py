"""A malformed id in a query argument is a top-level BAD_REQUEST, whichever field takes it."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncGenerator
from typing import Any
from uuid import uuid4

import pytest
from graphql import ExecutionResult

from api.context import Context, Services
from api.principal import Principal
from api.relay import encode_id
from api.schema import build_schema
from domain.access.model import Role
from tests.conftest import GraphQLClient

SOME_UUID = "01a209c2-5d13-7168-a6c0-29425fa9e4e0"


def _raw_id(text: str) -> str:
    """A global id as strawberry encodes one, around any text."""
    return base64.b64encode(text.encode()).decode()


UNREADABLE = "garbage"
NO_SUCH_TYPE = _raw_id(f"Nonsense:{SOME_UUID}")
NOT_A_NODE_TYPE = _raw_id(f"PageInfo:{SOME_UUID}")
BAD_KEY = _raw_id("Customer:not-a-uuid")
OF_A_TICKET = str(encode_id("Ticket", SOME_UUID))

QUERIES = {
    "customer": "query($id: ID!) { customer(id: $id) { id } }",
    "node": "query($id: ID!) { node(id: $id) { id } }",
    "nodes": "query($id: ID!) { nodes(ids: [$id]) { id } }",
    "ticket": "query($id: ID!) { ticket(id: $id) { id } }",
    "tickets(customer)": "query($id: ID!) { tickets(customer: $id) { totalCount } }",
    "tickets(assignee)": "query($id: ID!) { tickets(assignee: $id) { totalCount } }",
    "segment": "query($id: ID!) { segment(id: $id) { id } }",
    "job": "query($id: ID!) { job(id: $id) { id } }",
}


async def _error(client: GraphQLClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = (await client.post(query, variables)).json()
    assert body.get("errors"), body
    [error] = body["errors"]
    found: dict[str, Any] = error
    return found


@pytest.mark.parametrize("field", list(QUERIES))
async def test_an_unreadable_id_is_a_bad_request(admin: GraphQLClient, field: str) -> None:
    error = await _error(admin, QUERIES[field], {"id": UNREADABLE})
    assert error["extensions"] == {"code": "BAD_REQUEST"}, error


@pytest.mark.parametrize(
    "field", ["customer(id)", "ticket(id)", "tickets(customer)", "node(id)", "nodes(ids)"]
)
async def test_an_unreadable_id_written_in_the_query_is_a_bad_request(
    admin: GraphQLClient, field: str
) -> None:
    name, argument = field.rstrip(")").split("(")
    value = f'["{UNREADABLE}"]' if argument == "ids" else f'"{UNREADABLE}"'
    selection = "totalCount" if name == "tickets" else "id"
    error = await _error(admin, f"{{ {name}({argument}: {value}) {{ {selection} }} }}", {})
    assert error["extensions"] == {"code": "BAD_REQUEST"}, error


@pytest.mark.parametrize("field", ["customer", "node", "nodes"])
@pytest.mark.parametrize("value", [NO_SUCH_TYPE, NOT_A_NODE_TYPE, BAD_KEY])
async def test_an_id_of_no_type_or_with_a_malformed_key_is_a_bad_request(
    admin: GraphQLClient, field: str, value: str
) -> None:
    # Before: an unknown type was masked as an INTERNAL_SERVER_ERROR by node and nodes, and
    # a malformed key resolved to null there (while customer(id:) refused it).
    error = await _error(admin, QUERIES[field], {"id": value})
    assert error["extensions"] == {"code": "BAD_REQUEST"}, error


async def test_an_id_of_another_type_is_a_bad_request(admin: GraphQLClient) -> None:
    error = await _error(admin, QUERIES["customer"], {"id": OF_A_TICKET})
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert "Customer" in error["message"]


async def test_a_well_formed_id_of_nothing_resolves_to_null(admin: GraphQLClient) -> None:
    missing = str(encode_id("Customer", SOME_UUID))
    for field in ("customer", "node"):
        body = await admin.execute(QUERIES[field], {"id": missing})
        assert body == {field: None}
    assert await admin.execute(QUERIES["nodes"], {"id": missing}) == {"nodes": [None]}


@pytest.mark.parametrize(
    "subscription",
    [
        "subscription($id: ID) { ticketUpdated(ticketId: $id) { kind } }",
        "subscription($id: ID) { memberStatusChanged(customerId: $id) { customerId } }",
        "subscription($id: ID) { segmentMembershipChanged(segmentId: $id) { part } }",
    ],
)
async def test_a_subscription_with_an_unreadable_id_ends_with_a_bad_request(
    services: Services, subscription: str
) -> None:
    context = Context(
        services=services,
        request=None,  # type: ignore[arg-type]
        principal=Principal(role=Role.ADMIN, api_key_id=uuid4()),
        request_id="t",
    )
    stream: AsyncGenerator[Any, None] | ExecutionResult = await build_schema(
        services.settings
    ).subscribe(subscription, {"id": UNREADABLE}, context_value=context)
    result: ExecutionResult
    if isinstance(stream, ExecutionResult):
        result = stream
    else:
        try:
            result = await asyncio.wait_for(stream.__anext__(), 5)
        finally:
            await stream.aclose()
    assert result.errors, result
    assert result.errors[0].extensions == {"code": "BAD_REQUEST"}
