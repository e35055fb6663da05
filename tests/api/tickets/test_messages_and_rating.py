"""ticketReply and ticketRate, and what a customer may read of the conversation."""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import ExecutionResult

from api.context import Context, Services
from api.principal import Principal
from api.relay import decode_id, encode_id
from api.schema import build_schema
from domain.access.model import Role
from domain.ids import new_id
from persistence.queries.paging import decode_cursor
from tests.api.tickets.conftest import (
    RATE,
    REPLY,
    TRANSITION,
    Agent,
    CustomerCaller,
    MakeCaller,
    call,
    open_ticket,
)
from tests.conftest import GraphQLClient

CONVERSATION = """query($id: ID!, $first: Int, $after: String) { ticket(id: $id) {
  status
  lastMessage { seq body isNote authorKind authorId }
  messages(first: $first, after: $after) {
    totalCount
    nodes { id seq body isNote }
    pageInfo { hasNextPage endCursor }
  }
} }"""
MESSAGE_NODE = "query($id: ID!) { node(id: $id) { ... on TicketMessage { body isNote } } }"


async def _conversation(client: GraphQLClient, ticket_id: str, **page: Any) -> dict[str, Any]:
    data = await client.execute(CONVERSATION, {"id": ticket_id, **page})
    ticket: dict[str, Any] = data["ticket"]
    return ticket


async def test_customers_never_see_internal_notes(agent: Agent, customer: CustomerCaller) -> None:
    ticket = await open_ticket(customer.client)
    public = await call(agent.client, REPLY, "ticketReply", id=ticket["id"], body="We are on it.")
    note = await call(
        agent.client, REPLY, "ticketReply", id=ticket["id"], body="VIP, be nice", isNote=True
    )
    assert note["message"]["isNote"] is True

    staff = await _conversation(agent.client, ticket["id"])
    assert [m["body"] for m in staff["messages"]["nodes"]] == [
        "It has been a week.",
        "We are on it.",
        "VIP, be nice",
    ]
    assert staff["lastMessage"]["body"] == "VIP, be nice"

    mine = await _conversation(customer.client, ticket["id"])
    assert [m["body"] for m in mine["messages"]["nodes"]] == [
        "It has been a week.",
        "We are on it.",
    ]
    assert mine["messages"]["totalCount"] == 2
    assert mine["lastMessage"]["body"] == "We are on it."
    assert mine["lastMessage"]["authorId"] is None  # which agent answered stays internal
    assert mine["lastMessage"]["authorKind"] == "AGENT"

    # Not by id either.
    assert (await customer.client.execute(MESSAGE_NODE, {"id": note["message"]["id"]}))[
        "node"
    ] is None
    shown = await customer.client.execute(MESSAGE_NODE, {"id": public["message"]["id"]})
    assert shown["node"] == {"body": "We are on it.", "isNote": False}
    staff_view = await agent.client.execute(MESSAGE_NODE, {"id": note["message"]["id"]})
    assert staff_view["node"] == {"body": "VIP, be nice", "isNote": True}


async def test_a_customer_cannot_write_a_note_or_reply_to_someone_elses_ticket(
    customer: CustomerCaller, make_caller: MakeCaller
) -> None:
    mine = await open_ticket(customer.client)
    note = await call(
        customer.client, REPLY, "ticketReply", id=mine["id"], body="psst", isNote=True
    )
    assert (note["userErrors"][0]["code"], note["userErrors"][0]["field"]) == (
        "FORBIDDEN",
        ["isNote"],
    )
    other = await make_caller()
    theirs = await open_ticket(other.client)
    reply = await call(customer.client, REPLY, "ticketReply", id=theirs["id"], body="hi")
    assert (reply["userErrors"][0]["code"], reply["message"]) == ("NOT_FOUND", None)
    unknown = await call(
        customer.client, REPLY, "ticketReply", id=str(encode_id("Ticket", new_id())), body="hi"
    )
    assert unknown["userErrors"][0]["code"] == "NOT_FOUND"


async def test_a_customer_reply_takes_a_waiting_ticket_back_in_progress(
    agent: Agent, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(customer.client)
    for status in ("IN_PROGRESS", "WAITING_ON_CUSTOMER"):
        await call(agent.client, TRANSITION, "ticketTransition", id=ticket["id"], status=status)
    replied = await call(customer.client, REPLY, "ticketReply", id=ticket["id"], body="Here it is")
    assert replied["ticket"]["status"] == "IN_PROGRESS"
    assert replied["ticket"]["sla"]["paused"] is False
    assert replied["message"]["authorId"] == customer.gid


async def test_the_conversation_pages_oldest_first(agent: Agent, customer: CustomerCaller) -> None:
    ticket = await open_ticket(customer.client)
    for n in range(4):
        await call(agent.client, REPLY, "ticketReply", id=ticket["id"], body=f"reply {n}")
    first = await _conversation(agent.client, ticket["id"], first=2)
    assert [m["seq"] for m in first["messages"]["nodes"]] == [1, 2]
    assert first["messages"]["pageInfo"]["hasNextPage"] is True
    rest = await _conversation(
        agent.client, ticket["id"], first=10, after=first["messages"]["pageInfo"]["endCursor"]
    )
    assert [m["seq"] for m in rest["messages"]["nodes"]] == [3, 4, 5]
    assert rest["messages"]["pageInfo"]["hasNextPage"] is False


async def test_rating_is_for_the_customer_once_after_resolution(
    agent: Agent, customer: CustomerCaller, make_caller: MakeCaller
) -> None:
    ticket = await open_ticket(customer.client)
    early = await call(customer.client, RATE, "ticketRate", id=ticket["id"], rating=5)
    assert early["ticket"] is None
    assert early["userErrors"][0]["code"] == "CONFLICT"
    assert "once resolved" in early["userErrors"][0]["message"]

    await call(agent.client, TRANSITION, "ticketTransition", id=ticket["id"], status="RESOLVED")
    out_of_range = await call(customer.client, RATE, "ticketRate", id=ticket["id"], rating=6)
    assert (out_of_range["userErrors"][0]["code"], out_of_range["userErrors"][0]["field"]) == (
        "INVALID",
        ["rating"],
    )
    other = await make_caller()
    stranger = await call(other.client, RATE, "ticketRate", id=ticket["id"], rating=1)
    assert stranger["userErrors"][0]["code"] == "NOT_FOUND"

    rated = await call(customer.client, RATE, "ticketRate", id=ticket["id"], rating=4)
    assert rated["userErrors"] == []
    assert rated["ticket"]["rating"] == 4
    twice = await call(customer.client, RATE, "ticketRate", id=ticket["id"], rating=5)
    assert (twice["userErrors"][0]["code"], twice["userErrors"][0]["field"]) == (
        "CONFLICT",
        ["rating"],
    )

    body = (await agent.client.post(RATE, {"input": {"id": ticket["id"], "rating": 5}})).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_what_a_customer_is_shown_leaves_no_trace_of_notes(
    agent: Agent, customer: CustomerCaller
) -> None:
    # Given a conversation with an internal note between two public replies
    ticket = await open_ticket(customer.client)
    await call(agent.client, REPLY, "ticketReply", id=ticket["id"], body="Hidden", isNote=True)
    public = await call(agent.client, REPLY, "ticketReply", id=ticket["id"], body="Public")
    mine = await call(customer.client, REPLY, "ticketReply", id=ticket["id"], body="Thanks")

    # Then staff see every position
    staff = await _conversation(agent.client, ticket["id"])
    assert [m["seq"] for m in staff["messages"]["nodes"]] == [1, 2, 3, 4]
    assert staff["lastMessage"]["seq"] == 4
    assert public["message"]["seq"] == 3

    # And the customer sees none: not in the list, the last message, its reply or by id
    shown = await _conversation(customer.client, ticket["id"])
    assert [(m["body"], m["seq"]) for m in shown["messages"]["nodes"]] == [
        ("It has been a week.", None),
        ("Public", None),
        ("Thanks", None),
    ]
    assert shown["lastMessage"]["seq"] is None
    assert mine["message"]["seq"] is None
    by_id = await customer.client.execute(
        "query($id: ID!) { node(id: $id) { ... on TicketMessage { seq } } }",
        {"id": public["message"]["id"]},
    )
    assert by_id["node"] == {"seq": None}


async def test_a_customer_pages_by_cursors_that_name_no_position(
    agent: Agent, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(customer.client)
    await call(agent.client, REPLY, "ticketReply", id=ticket["id"], body="Hidden", isNote=True)
    for n in range(3):
        await call(agent.client, REPLY, "ticketReply", id=ticket["id"], body=f"reply {n}")

    bodies: list[str] = []
    cursors: list[str] = []
    after = None
    while True:
        page = await _conversation(customer.client, ticket["id"], first=1, after=after)
        bodies += [m["body"] for m in page["messages"]["nodes"]]
        after = page["messages"]["pageInfo"]["endCursor"]
        cursors.append(after)
        if not page["messages"]["pageInfo"]["hasNextPage"]:
            break

    assert bodies == ["It has been a week.", "reply 0", "reply 1", "reply 2"]
    # Each cursor names a message by id, not its position (which counts the note).
    whole = await _conversation(customer.client, ticket["id"])
    ids = [m["id"] for m in whole["messages"]["nodes"]]
    assert [decode_cursor(c) for c in cursors] == [
        (decode_id(gid, "TicketMessage"),) for gid in ids
    ]
    # A position (a staff cursor) is no cursor of the customer's list.
    staff_page = await _conversation(agent.client, ticket["id"], first=1)
    staff_cursor = staff_page["messages"]["pageInfo"]["endCursor"]
    refused = await customer.client.post(
        CONVERSATION, {"id": ticket["id"], "first": 1, "after": staff_cursor}
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_customer_hears_replies_without_their_position(
    services: Services, agent: Agent, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(customer.client)
    await call(agent.client, REPLY, "ticketReply", id=ticket["id"], body="Hidden", isNote=True)
    context = Context(
        services=services,
        request=None,  # type: ignore[arg-type]
        principal=Principal(role=Role.CUSTOMER, customer_id=customer.id),
        request_id="t",
    )
    stream = await build_schema(services.settings).subscribe(
        "subscription { ticketUpdated { kind message { body seq } } }", context_value=context
    )
    assert not isinstance(stream, ExecutionResult)
    try:
        waiting = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.2)  # the subscription is in place
        await call(agent.client, REPLY, "ticketReply", id=ticket["id"], body="Public")
        heard: Any = await asyncio.wait_for(waiting, 5)
    finally:
        await stream.aclose()
    assert heard.errors is None, heard.errors
    assert heard.data["ticketUpdated"] == {
        "kind": "REPLIED",
        "message": {"body": "Public", "seq": None},
    }
