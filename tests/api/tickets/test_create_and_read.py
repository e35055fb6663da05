"""ticketCreate, ticket, node: who may open and read which tickets."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from api.relay import encode_id
from domain.access.model import Role
from domain.ids import new_id
from tests.api.tickets.conftest import (
    CREATE,
    TICKET_FIELDS,
    Agent,
    CustomerCaller,
    MakeCaller,
    call,
    open_ticket,
)
from tests.conftest import GraphQLClient, make_api_key
from tests.integration.tickets.seed import make_membership, make_order

TICKET = f"query($id: ID!) {{ ticket(id: $id) {{ {TICKET_FIELDS} }} }}"
NODE = "query($id: ID!) { node(id: $id) { id ... on Ticket { subject } } }"


async def test_an_agent_opens_a_ticket_for_a_gold_member_at_high_priority(
    agent: Agent, customer: CustomerCaller, engine: AsyncEngine
) -> None:
    await make_membership(engine, customer_id=customer.id, tier_code="GOLD")
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)
    assert ticket["status"] == "OPEN"
    assert ticket["priority"] == "HIGH"
    assert ticket["customerId"] == customer.gid
    assert ticket["version"] == 1
    assert ticket["allowedTransitions"] == ["IN_PROGRESS", "RESOLVED"]
    # 10:00 Monday + 1 business hour (HIGH first response).
    assert ticket["sla"]["firstResponseDueAt"] == "2026-03-02T11:00:00+00:00"
    assert ticket["sla"]["breached"] is False


async def test_a_customer_opens_a_return_for_their_own_order(
    customer: CustomerCaller, engine: AsyncEngine
) -> None:
    order = await make_order(engine, customer_id=customer.id, lines={"TEE-1": 2})
    ticket = await open_ticket(
        customer.client,
        kind="RETURN",
        orderId=str(encode_id("Order", order)),
        lines=[{"sku": "TEE-1", "quantity": 1}],
    )
    assert ticket["customerId"] == customer.gid
    assert ticket["priority"] == "NORMAL"
    assert ticket["orderId"] == str(encode_id("Order", order))
    assert ticket["lines"] == [{"sku": "TEE-1", "quantity": 1}]
    assert ticket["allowedTransitions"] == []  # customers do not run the workflow


async def test_refused_creations_name_the_field_and_code(
    agent: Agent, customer: CustomerCaller, make_caller: MakeCaller, engine: AsyncEngine
) -> None:
    other = await make_caller()
    theirs = await make_order(engine, customer_id=other.id, lines={"TEE-1": 1})
    base = {"kind": "INQUIRY", "subject": "Hello", "body": "Question"}
    cases: list[tuple[GraphQLClient, dict[str, Any], str, list[str]]] = [
        (customer.client, {**base, "customerId": other.gid}, "FORBIDDEN", ["customerId"]),
        (agent.client, base, "INVALID", ["customerId"]),
        (
            agent.client,
            {**base, "customerId": str(encode_id("Customer", new_id()))},
            "NOT_FOUND",
            ["customerId"],
        ),
        (
            agent.client,
            {**base, "customerId": customer.gid, "kind": "REFUND"},
            "INVALID",
            ["orderId"],
        ),
        (
            customer.client,
            {**base, "kind": "RETURN", "orderId": str(encode_id("Order", theirs))},
            "NOT_FOUND",
            ["orderId"],
        ),
        (
            agent.client,
            {
                **base,
                "customerId": customer.gid,
                "kind": "RETURN",
                "orderId": str(encode_id("Order", theirs)),
            },
            "INVALID",
            ["orderId"],
        ),
        (customer.client, {**base, "priority": "URGENT"}, "FORBIDDEN", ["priority"]),
        (customer.client, {**base, "kind": "REVIEW"}, "FORBIDDEN", ["kind"]),
        (customer.client, {**base, "subject": "  "}, "INVALID", ["subject"]),
        (
            agent.client,
            {**base, "customerId": str(encode_id("Order", customer.id))},
            "INVALID_ID",
            ["customerId"],
        ),
    ]
    for client, input_, code, field in cases:
        payload = (await client.execute(CREATE, {"input": input_}))["ticketCreate"]
        assert payload["ticket"] is None, input_
        error = payload["userErrors"][0]
        assert error["code"] == code, (input_, error)
        assert error["field"] == field, (input_, error)


async def test_an_agent_may_open_a_review_ticket_by_hand(
    agent: Agent, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(
        agent.client, customer_gid=customer.gid, kind="REVIEW", subject="1-star review by phone"
    )
    assert (ticket["kind"], ticket["status"]) == ("REVIEW", "OPEN")


async def test_roles_without_tickets_are_refused(
    services: Services, admin: GraphQLClient, customer: CustomerCaller
) -> None:
    marketer = admin.as_(await make_api_key(services, Role.MARKETER))
    body = (
        await marketer.post(
            CREATE,
            {"input": {"kind": "INQUIRY", "subject": "x", "body": "y", "customerId": customer.gid}},
        )
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listing = (await marketer.post("{ tickets { nodes { id } } }")).json()
    assert listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_customer_cannot_read_another_customers_ticket(
    agent: Agent, customer: CustomerCaller, make_caller: MakeCaller
) -> None:
    other = await make_caller()
    theirs = await open_ticket(other.client)
    mine = await open_ticket(customer.client)

    assert (await customer.client.execute(TICKET, {"id": theirs["id"]}))["ticket"] is None
    assert (await customer.client.execute(NODE, {"id": theirs["id"]}))["node"] is None
    found = await customer.client.execute(TICKET, {"id": mine["id"]})
    assert found["ticket"]["id"] == mine["id"]
    # Staff read both.
    assert (await agent.client.execute(NODE, {"id": theirs["id"]}))["node"]["subject"]


async def test_a_malformed_ticket_id_is_a_bad_request(agent: Agent) -> None:
    body = (await agent.client.post(TICKET, {"id": str(encode_id("Order", new_id()))})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_an_unknown_ticket_reads_as_null(agent: Agent) -> None:
    data = await agent.client.execute(TICKET, {"id": str(encode_id("Ticket", new_id()))})
    assert data["ticket"] is None


async def test_replaying_a_create_with_its_idempotency_key_opens_one_ticket(
    agent: Agent, customer: CustomerCaller
) -> None:
    input_ = {
        "kind": "INQUIRY",
        "subject": "Once",
        "body": "Only once",
        "customerId": customer.gid,
        "idempotencyKey": "create-1",
    }
    first = await call(agent.client, CREATE, "ticketCreate", **input_)
    second = await call(agent.client, CREATE, "ticketCreate", **input_)
    assert first["ticket"]["id"] == second["ticket"]["id"]
    listing = await agent.client.execute("{ tickets { totalCount } }")
    assert listing["tickets"]["totalCount"] == 1
