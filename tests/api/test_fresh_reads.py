"""Reads after writes in one request or one connection show what was written.

Loaders cache per request (and per WebSocket connection); a mutation, or a subscription
event, that came after a write must not be served what was cached before it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from graphql import ExecutionResult

from api.context import Context, Services
from api.principal import Principal
from api.schema import build_schema
from domain.access.model import Role
from tests.conftest import GraphQLClient

SIGNUP_BONUS = 100


async def _customer(admin: GraphQLClient, email: str = "ana@example.com") -> str:
    body = await admin.execute(
        "mutation($e: String!) { customerCreate(input: {email: $e}) "
        "{ customer { id } userErrors { code } } }",
        {"e": email},
    )
    assert body["customerCreate"]["userErrors"] == []
    customer_id: str = body["customerCreate"]["customer"]["id"]
    return customer_id


async def test_a_second_update_of_a_customer_shows_its_own_change(admin: GraphQLClient) -> None:
    # Given a customer
    customer = await _customer(admin)
    # When two aliased updates of it run in one request
    body = await admin.execute(
        """mutation($C: ID!) {
          a: customerUpdate(input: {id: $C, city: "A"}) { customer { city } }
          b: customerUpdate(input: {id: $C, city: "B"}) { customer { city } }
        }""",
        {"C": customer},
    )
    # Then each payload shows the customer as that mutation left it
    assert body["a"]["customer"]["city"] == "A"
    assert body["b"]["customer"]["city"] == "B"
    stored = await admin.execute("query($C: ID!) { customer(id: $C) { city } }", {"C": customer})
    assert stored["customer"]["city"] == "B"


async def test_an_email_cleared_by_a_second_update_shows_as_null(admin: GraphQLClient) -> None:
    customer = await _customer(admin, "cleared@example.com")
    body = await admin.execute(
        """mutation($C: ID!) {
          a: customerUpdate(input: {id: $C, city: "A"}) { customer { city email } }
          b: customerUpdate(input: {id: $C, email: null}) { customer { city email } }
        }""",
        {"C": customer},
    )
    assert body["a"]["customer"] == {"city": "A", "email": "cleared@example.com"}
    assert body["b"]["customer"] == {"city": "A", "email": None}


async def test_points_added_by_a_second_mutation_show_on_its_customer(
    admin: GraphQLClient,
) -> None:
    # Given a customer whose points a first mutation of the request reads
    customer = await _customer(admin)
    body = await admin.execute(
        """mutation($C: ID!, $K: String!) {
          a: customerUpdate(input: {id: $C, city: "A"}) { customer { points { balance } } }
          b: pointsAdjust(
            input: {customerId: $C, points: 50, reason: "goodwill", idempotencyKey: $K}
          ) {
            balance customer { points { balance } } userErrors { code message }
          }
        }""",
        {"C": customer, "K": uuid4().hex},
    )
    # Then the second, which adds points, shows the new balance on its customer
    assert body["b"]["userErrors"] == []
    assert body["a"]["customer"]["points"]["balance"] == SIGNUP_BONUS
    assert body["b"]["balance"] == SIGNUP_BONUS + 50
    assert body["b"]["customer"]["points"]["balance"] == SIGNUP_BONUS + 50


async def test_an_order_then_an_update_of_its_customer_each_show_their_change(
    admin: GraphQLClient,
) -> None:
    customer = await _customer(admin)
    order = {
        "channel": "web",
        "externalId": f"o-{uuid4().hex[:8]}",
        "customer": {"id": customer},
        "placedAt": datetime.now(UTC).isoformat(),
        "total": {"amount": 5_000, "currency": "EUR"},
    }
    body = await admin.execute(
        """mutation($C: ID!, $order: OrderRecordInput!) {
          a: orderRecord(input: $order) {
            order { customer { city stats { ordersCount } } } userErrors { code message }
          }
          b: customerUpdate(input: {id: $C, city: "B"}) {
            customer { city stats { ordersCount } }
          }
          c: orderRecord(input: $order) { order { customer { city } } }
        }""",
        {"C": customer, "order": order},
    )
    assert body["a"]["userErrors"] == []
    assert body["a"]["order"]["customer"] == {"city": None, "stats": {"ordersCount": 1}}
    assert body["b"]["customer"] == {"city": "B", "stats": {"ordersCount": 1}}
    # The replayed order (same external id) names its customer as it now is.
    assert body["c"]["order"]["customer"] == {"city": "B"}


TICKET_UPDATES = "subscription { ticketUpdated { kind ticket { customer { email } } } }"


async def _reply(admin: GraphQLClient, ticket: str, body: str) -> None:
    data = await admin.execute(
        "mutation($id: ID!, $body: String!) { ticketReply(input: {id: $id, body: $body}) "
        "{ userErrors { code message } } }",
        {"id": ticket, "body": body},
    )
    assert data["ticketReply"]["userErrors"] == []


async def test_each_subscription_event_shows_what_was_committed_before_it(
    services: Services, admin: GraphQLClient
) -> None:
    # Given a ticket of a customer, and a subscription whose context lives across events
    # (as a WebSocket connection's does)
    customer = await _customer(admin, "before@example.com")
    created = await admin.execute(
        "mutation($c: ID!) { ticketCreate(input: {customerId: $c, kind: INQUIRY, "
        'subject: "Parcel", body: "Where?"}) { ticket { id } userErrors { code } } }',
        {"c": customer},
    )
    ticket = created["ticketCreate"]["ticket"]["id"]
    context = Context(
        services=services,
        request=None,  # type: ignore[arg-type]
        principal=Principal(role=Role.ADMIN, api_key_id=uuid4()),
        request_id="t",
    )
    stream = await build_schema(services.settings).subscribe(TICKET_UPDATES, context_value=context)
    assert not isinstance(stream, ExecutionResult)
    try:
        waiting = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.2)  # the subscription is in place
        # When a first event is heard, the customer's email changes, and a second is heard
        await _reply(admin, ticket, "first")
        first: Any = await asyncio.wait_for(waiting, 5)
        await admin.execute(
            'mutation($c: ID!) { customerUpdate(input: {id: $c, email: "after@example.com"}) '
            "{ userErrors { code } } }",
            {"c": customer},
        )
        await _reply(admin, ticket, "second")
        second: Any = await asyncio.wait_for(stream.__anext__(), 5)
    finally:
        await stream.aclose()
    # Then the second event shows the customer as it is now, not as the first cached it
    assert first.errors is None, first.errors
    assert first.data["ticketUpdated"]["ticket"]["customer"]["email"] == "before@example.com"
    assert second.errors is None, second.errors
    assert second.data["ticketUpdated"]["ticket"]["customer"]["email"] == "after@example.com"
