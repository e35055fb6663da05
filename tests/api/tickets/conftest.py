"""Callers of the tickets API: agents (SUPPORT keys), customers with tokens, a settable clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from api.relay import encode_id
from domain.access.model import Role
from domain.access.services import create_api_key
from tests.conftest import GraphQLClient
from tests.integration.tickets.seed import make_customer
from tests.unit.fakes import FixedClock

# A Monday, 10:00 UTC: inside the default business hours.
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

TICKET_FIELDS = """
  id number kind subject status priority customerId orderId assigneeId version
  lines { sku quantity }
  sla { firstResponseDueAt nextResponseDueAt resolutionDueAt breached paused }
  rating createdAt resolvedAt allowedTransitions
"""
ERRORS = "userErrors { field code message }"

CREATE = f"""
mutation($input: TicketCreateInput!) {{
  ticketCreate(input: $input) {{ ticket {{ {TICKET_FIELDS} }} {ERRORS} }}
}}"""
TRANSITION = f"""
mutation($input: TicketTransitionInput!) {{
  ticketTransition(input: $input) {{ ticket {{ {TICKET_FIELDS} }} {ERRORS} }}
}}"""
ASSIGN = f"""
mutation($input: TicketAssignInput!) {{
  ticketAssign(input: $input) {{ ticket {{ {TICKET_FIELDS} }} {ERRORS} }}
}}"""
REPLY = f"""
mutation($input: TicketReplyInput!) {{
  ticketReply(input: $input) {{
    ticket {{ {TICKET_FIELDS} }}
    message {{ id seq body isNote authorKind authorId }}
    {ERRORS}
  }}
}}"""
RATE = f"""
mutation($input: TicketRateInput!) {{
  ticketRate(input: $input) {{ ticket {{ {TICKET_FIELDS} }} {ERRORS} }}
}}"""
REPRIORITIZE = f"""
mutation($input: TicketReprioritizeInput!) {{
  ticketReprioritize(input: $input) {{ ticket {{ {TICKET_FIELDS} }} {ERRORS} }}
}}"""
GOODWILL = f"""
mutation($input: TicketGoodwillGrantInput!) {{
  ticketGoodwillGrant(input: $input) {{ ticket {{ {TICKET_FIELDS} }} {ERRORS} }}
}}"""


@dataclass
class Agent:
    client: GraphQLClient
    key_id: UUID

    @property
    def gid(self) -> str:
        return str(encode_id("ApiKey", self.key_id))


@dataclass
class CustomerCaller:
    client: GraphQLClient
    id: UUID

    @property
    def gid(self) -> str:
        return str(encode_id("Customer", self.id))


@pytest.fixture
def clock(services: Services) -> FixedClock:
    """The app's clock, set to a Monday morning; tests move it."""
    fixed = FixedClock(MONDAY_10)
    services.clock = fixed
    return fixed


async def _agent(services: Services, http: httpx.AsyncClient, role: Role, name: str) -> Agent:
    issued = await create_api_key(
        services.uow(), services.clock, name=name, role=role, actor="test"
    )
    return Agent(GraphQLClient(http, issued.secret), issued.key.id)


@pytest.fixture
async def agent(services: Services, http: httpx.AsyncClient, clock: FixedClock) -> Agent:
    return await _agent(services, http, Role.SUPPORT, "agent")


@pytest.fixture
async def other_agent(services: Services, http: httpx.AsyncClient, clock: FixedClock) -> Agent:
    return await _agent(services, http, Role.SUPPORT, "other agent")


MakeCaller = Callable[[], Awaitable[CustomerCaller]]


@pytest.fixture
def make_caller(
    services: Services, engine: AsyncEngine, http: httpx.AsyncClient, clock: FixedClock
) -> MakeCaller:
    """Make a customer and a client bearing their token."""

    async def make() -> CustomerCaller:
        customer_id = await make_customer(engine)
        token, _ = services.tokens.issue(customer_id, issued_by=customer_id, now=datetime.now(UTC))
        return CustomerCaller(GraphQLClient(http, token), customer_id)

    return make


@pytest.fixture
async def customer(make_caller: MakeCaller) -> CustomerCaller:
    return await make_caller()


async def open_ticket(
    client: GraphQLClient, *, customer_gid: str | None = None, **fields: Any
) -> dict[str, Any]:
    """Open a ticket through the API; returns the ticket (fails on userErrors)."""
    input_: dict[str, Any] = {
        "kind": "INQUIRY",
        "subject": "Where is my parcel?",
        "body": "It has been a week.",
        **fields,
    }
    if customer_gid is not None:
        input_["customerId"] = customer_gid
    data = await client.execute(CREATE, {"input": input_})
    payload = data["ticketCreate"]
    assert payload["userErrors"] == [], payload["userErrors"]
    ticket: dict[str, Any] = payload["ticket"]
    return ticket


async def call(client: GraphQLClient, mutation: str, name: str, **input_: Any) -> dict[str, Any]:
    """Run a ticket mutation; returns its payload."""
    data = await client.execute(mutation, {"input": input_})
    payload: dict[str, Any] = data[name]
    return payload
