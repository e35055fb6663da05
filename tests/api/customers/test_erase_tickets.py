"""customerErase and tickets: the erased customer's ticket subjects and every message
(theirs, agents' replies, internal notes) read "[erased]"; what reports need is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from api.relay import encode_id
from domain.tickets.services import flag_sla_breaches
from tests.conftest import GraphQLClient
from tests.integration.tickets.seed import make_customer
from tests.support.statements import count_statements
from tests.unit.fakes import FixedClock

MARKER = "[erased]"
# A Monday, 10:00 UTC: inside the default business hours.
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

ERRORS = "userErrors { field code message }"
ERASE = f"""mutation($id: ID!) {{
  customerErase(input: {{customerId: $id}}) {{ customer {{ erasedAt }} {ERRORS} }}
}}"""
CREATE = f"""mutation($input: TicketCreateInput!) {{
  ticketCreate(input: $input) {{ ticket {{ id }} {ERRORS} }}
}}"""
REPLY = f"""mutation($input: TicketReplyInput!) {{
  ticketReply(input: $input) {{ message {{ id }} {ERRORS} }}
}}"""
TRANSITION = f"""mutation($input: TicketTransitionInput!) {{
  ticketTransition(input: $input) {{ ticket {{ id }} {ERRORS} }}
}}"""
RATE = f"""mutation($input: TicketRateInput!) {{
  ticketRate(input: $input) {{ ticket {{ id }} {ERRORS} }}
}}"""
TICKET = """query($id: ID!) { ticket(id: $id) {
  id number kind subject status priority customerId orderId assigneeId version
  rating ratedAt createdAt updatedAt firstRespondedAt resolvedAt closedAt
  sla {
    firstResponseDueAt nextResponseDueAt resolutionDueAt nextDueAt paused breached
    breachedTargets clocks { target dueAt metAt breached }
  }
  lastMessage { seq body }
  messages(first: 50) {
    totalCount
    nodes { id seq body isNote authorKind authorId createdAt }
  }
} }"""
EXPORT = """mutation($id: ID!) {
  customerExport(input: {customerId: $id}) { data userErrors { code } }
}"""


async def run(client: GraphQLClient, mutation: str, name: str, **input_: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.execute(mutation, {"input": input_}))[name]
    assert payload["userErrors"] == [], payload
    return payload


def gid(customer_id: UUID) -> str:
    return str(encode_id("Customer", customer_id))


def customer_client(services: Services, admin: GraphQLClient, customer_id: UUID) -> GraphQLClient:
    token, _ = services.tokens.issue(customer_id, issued_by=customer_id, now=datetime.now(UTC))
    return admin.as_(token)


async def ticket(admin: GraphQLClient, ticket_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await admin.execute(TICKET, {"id": ticket_id}))["ticket"]
    assert found is not None
    return found


async def open_ticket(
    admin: GraphQLClient, customer_id: UUID, *, subject: str, replies: int, notes: int
) -> str:
    """A ticket the store opened for the customer, with agents' replies and notes."""
    created = await run(
        admin,
        CREATE,
        "ticketCreate",
        kind="INQUIRY",
        subject=subject,
        body=f"{subject}: what the customer told us on the phone",
        customerId=gid(customer_id),
    )
    ticket_id: str = created["ticket"]["id"]
    for n in range(notes):
        await run(admin, REPLY, "ticketReply", id=ticket_id, body=f"note {n}", isNote=True)
    for n in range(replies):
        await run(admin, REPLY, "ticketReply", id=ticket_id, body=f"reply {n}, Jane")
    return ticket_id


async def customer_with_two_tickets(
    services: Services, admin: GraphQLClient, clock: FixedClock, *, name: str
) -> tuple[UUID, list[str]]:
    """Two tickets of one customer, with their own messages, agents' replies and a note:
    one resolved and rated, one whose SLA was breached before an agent answered."""
    customer_id = await make_customer(services.engine, email=f"{name}@example.com")
    customer = customer_client(services, admin, customer_id)
    clock.set(MONDAY_10)
    opened = await run(
        customer,
        CREATE,
        "ticketCreate",
        kind="INQUIRY",
        subject=f"{name}: where is my parcel to 1 rue de Paris?",
        body=f"I am {name}, order 1234 has not arrived.",
    )
    rated = opened["ticket"]["id"]
    await run(admin, REPLY, "ticketReply", id=rated, body=f"Dear {name}, it left today.")
    await run(admin, REPLY, "ticketReply", id=rated, body=f"{name} called twice", isNote=True)
    await run(customer, REPLY, "ticketReply", id=rated, body="Thanks, got it.")
    await run(admin, TRANSITION, "ticketTransition", id=rated, status="RESOLVED")
    await run(customer, RATE, "ticketRate", id=rated, rating=4)

    late = await open_ticket(
        admin, customer_id, subject=f"{name}: refund to IBAN", replies=0, notes=1
    )
    # Nobody answered for days: the breach job flags the first-response target.
    clock.set(MONDAY_10 + timedelta(days=3))
    assert await flag_sla_breaches(services.uow(), clock) >= 1
    await run(admin, REPLY, "ticketReply", id=late, body=f"Sorry {name}, refunded.")
    return customer_id, [rated, late]


def as_erased(before: dict[str, Any]) -> dict[str, Any]:
    """The ticket as it should read after the erasure: texts replaced, a new version."""
    messages = before["messages"]
    return {
        **before,
        "subject": MARKER,
        "version": before["version"] + 1,
        "lastMessage": {**before["lastMessage"], "body": MARKER},
        "messages": {
            **messages,
            "nodes": [{**m, "body": MARKER} for m in messages["nodes"]],
        },
    }


@pytest.fixture
def clock(services: Services) -> FixedClock:
    fixed = FixedClock(MONDAY_10)
    services.clock = fixed
    return fixed


async def test_erase_replaces_ticket_subjects_and_messages_and_keeps_the_rest(
    services: Services, admin: GraphQLClient, clock: FixedClock
) -> None:
    # Given a customer with two tickets (their messages, agents' replies, a note), and
    # another customer with tickets of their own
    customer_id, ticket_ids = await customer_with_two_tickets(services, admin, clock, name="Jane")
    _, other_ids = await customer_with_two_tickets(services, admin, clock, name="John")
    before = {t: await ticket(admin, t) for t in ticket_ids + other_ids}
    rated, late = (before[t] for t in ticket_ids)
    assert (rated["status"], rated["rating"], rated["sla"]["breached"]) == ("RESOLVED", 4, False)
    assert late["sla"]["breached"] and late["status"] == "OPEN"
    assert [m["isNote"] for m in rated["messages"]["nodes"]] == [False, False, True, False]
    assert [m["authorKind"] for m in rated["messages"]["nodes"]] == [
        "CUSTOMER",
        "AGENT",
        "AGENT",
        "CUSTOMER",
    ]

    # When the customer is erased
    erased = (await admin.execute(ERASE, {"id": gid(customer_id)}))["customerErase"]

    # Then each of their tickets reads the marker for its subject and every message, and
    # nothing else changed but the version; the other customer's tickets are untouched
    assert erased["userErrors"] == [] and erased["customer"]["erasedAt"] is not None
    for ticket_id in ticket_ids:
        assert await ticket(admin, ticket_id) == as_erased(before[ticket_id])
    for ticket_id in other_ids:
        assert await ticket(admin, ticket_id) == before[ticket_id]
        assert "John" in before[ticket_id]["subject"]

    # And the export holds the marker only
    exported = (await admin.execute(EXPORT, {"id": gid(customer_id)}))["customerExport"]
    texts = [t["subject"] for t in exported["data"]["tickets"]] + [
        m["body"] for t in exported["data"]["tickets"] for m in t["messages"]
    ]
    assert len(texts) == 2 + 7 and set(texts) == {MARKER}


async def test_a_second_erase_changes_no_ticket(
    services: Services, admin: GraphQLClient, clock: FixedClock
) -> None:
    customer_id, ticket_ids = await customer_with_two_tickets(services, admin, clock, name="Jane")
    first = (await admin.execute(ERASE, {"id": gid(customer_id)}))["customerErase"]
    assert first["userErrors"] == []
    once = [await ticket(admin, t) for t in ticket_ids]

    again = (await admin.execute(ERASE, {"id": gid(customer_id)}))["customerErase"]

    assert again["userErrors"] == []
    assert [await ticket(admin, t) for t in ticket_ids] == once


async def test_an_agent_replying_on_the_version_read_before_the_erase_gets_a_conflict(
    services: Services, admin: GraphQLClient, clock: FixedClock
) -> None:
    customer_id, [ticket_id, _] = await customer_with_two_tickets(
        services, admin, clock, name="Jane"
    )
    seen = (await ticket(admin, ticket_id))["version"]
    await admin.execute(ERASE, {"id": gid(customer_id)})

    stale = (
        await admin.execute(
            REPLY,
            {"input": {"id": ticket_id, "body": "As I said, Jane", "expectedVersion": seen}},
        )
    )["ticketReply"]

    assert [e["code"] for e in stale["userErrors"]] == ["CONCURRENT_MODIFICATION"]
    bodies = [m["body"] for m in (await ticket(admin, ticket_id))["messages"]["nodes"]]
    assert set(bodies) == {MARKER}


def _ticket_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if "ticket" in s.lower()]


async def test_the_ticket_statements_of_an_erase_do_not_grow_with_the_tickets(
    services: Services, admin: GraphQLClient, engine: AsyncEngine, clock: FixedClock
) -> None:
    # Given one customer with a ticket of two messages, one with five tickets of six
    few = await make_customer(engine, email="few@example.com")
    await open_ticket(admin, few, subject="One", replies=1, notes=0)
    many = await make_customer(engine, email="many@example.com")
    for n in range(5):
        await open_ticket(admin, many, subject=f"Ticket {n}", replies=3, notes=2)

    # When each is erased
    counted = {}
    for name, customer_id in (("few", few), ("many", many)):
        with count_statements(engine) as counter:
            erased = (await admin.execute(ERASE, {"id": gid(customer_id)}))["customerErase"]
        assert erased["userErrors"] == []
        counted[name] = counter.statements

    # Then both cost the same statements, two of them on tickets (tickets, messages)
    assert len(counted["few"]) == len(counted["many"]), counted
    assert len(_ticket_statements(counted["few"])) == 2, _ticket_statements(counted["few"])
    assert len(_ticket_statements(counted["many"])) == 2
