"""Tickets acting on other contexts in the same transaction: refunds and goodwill points."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.tables.access import idempotency_records
from tests.api.customers.test_orders import RECORD, order_input
from tests.conftest import GraphQLClient

POINTS = "query($id: ID) { customer(id: $id) { points { balance } stats { netSpent { amount } } } }"


async def _customer_with_an_order(admin: GraphQLClient) -> tuple[str, str]:
    body = await admin.execute(RECORD, {"input": order_input("x-1", amount=10000)})
    order = body["orderRecord"]["order"]
    return order["customer"]["id"], order["id"]


async def _balance(admin: GraphQLClient, customer_id: str) -> int:
    body = await admin.execute(POINTS, {"id": customer_id})
    return int(body["customer"]["points"]["balance"])


async def test_resolving_a_refund_ticket_refunds_the_order_and_reverses_its_points(
    admin: GraphQLClient,
) -> None:
    customer_id, order_id = await _customer_with_an_order(admin)
    before = await _balance(admin, customer_id)
    created = await admin.execute(
        """mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id } userErrors { code message } } }""",
        {
            "input": {
                "kind": "REFUND",
                "subject": "Broken",
                "body": "It broke",
                "customerId": customer_id,
                "orderId": order_id,
                "lines": [{"sku": "TEE-1", "quantity": 1}],
            }
        },
    )
    ticket_id = created["ticketCreate"]["ticket"]["id"]
    for status in ("IN_PROGRESS", "RESOLVED"):
        moved = await admin.execute(
            "mutation($id: ID!, $s: TicketStatus!) { ticketTransition(input: {id: $id, status: $s}) { ticket { status } userErrors { code message } } }",
            {"id": ticket_id, "s": status},
        )
        assert moved["ticketTransition"]["userErrors"] == []
    order = await admin.execute(
        "query($id: ID!) { node(id: $id) { ... on Order { status refunds { amount { amount } } } } }",
        {"id": order_id},
    )
    assert order["node"]["status"] == "REFUNDED"
    assert order["node"]["refunds"] == [{"amount": {"amount": 10000}}]
    after = await admin.execute(POINTS, {"id": customer_id})
    assert after["customer"]["stats"]["netSpent"]["amount"] == 0
    # The order's points (and its first-order bonus) are taken back; the sign-up bonus stays.
    assert await _balance(admin, customer_id) < before


async def test_goodwill_points_are_credited_once(admin: GraphQLClient) -> None:
    customer_id, _ = await _customer_with_an_order(admin)
    before = await _balance(admin, customer_id)
    created = await admin.execute(
        """mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id } } }""",
        {
            "input": {
                "kind": "COMPLAINT",
                "subject": "Late",
                "body": "Very late",
                "customerId": customer_id,
            }
        },
    )
    ticket_id = created["ticketCreate"]["ticket"]["id"]
    grant = """mutation($id: ID!) { ticketGoodwillGrant(input: {id: $id, points: 150, reason: "sorry", idempotencyKey: "gw-1"}) { userErrors { code message } } }"""
    for _ in range(2):
        body = await admin.execute(grant, {"id": ticket_id})
        assert body["ticketGoodwillGrant"]["userErrors"] == []
    assert await _balance(admin, customer_id) == before + 150


async def test_a_goodwill_grant_needs_an_idempotency_key_as_every_points_change(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    customer_id, _ = await _customer_with_an_order(admin)
    before = await _balance(admin, customer_id)
    created = await admin.execute(
        """mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id } } }""",
        {
            "input": {
                "kind": "COMPLAINT",
                "subject": "Late",
                "body": "Very late",
                "customerId": customer_id,
            }
        },
    )
    ticket_id = created["ticketCreate"]["ticket"]["id"]
    grant = """mutation($id: ID!) { ticketGoodwillGrant(input: {id: $id, points: 5, reason: "sorry"}) { ticket { id } userErrors { field code message } } }"""

    # Given no key, in the input or the header: refused at idempotencyKey, nothing credited
    refused = await admin.execute(grant, {"id": ticket_id})
    assert refused["ticketGoodwillGrant"]["ticket"] is None
    [error] = refused["ticketGoodwillGrant"]["userErrors"]
    assert (error["field"], error["code"]) == (["idempotencyKey"], "INVALID")
    assert "idempotencyKey" in error["message"]
    assert await _balance(admin, customer_id) == before

    # The Idempotency-Key header does as well, and the ledger credits a key once, also
    # once the stored response is gone.
    for _ in range(2):
        granted = await admin.execute(grant, {"id": ticket_id}, headers={"Idempotency-Key": "h-1"})
        assert granted["ticketGoodwillGrant"]["userErrors"] == []
        async with engine.begin() as conn:
            await conn.execute(delete(idempotency_records))
    assert await _balance(admin, customer_id) == before + 5


async def test_a_goodwill_grant_takes_any_idempotency_key_up_to_255_characters(
    admin: GraphQLClient,
) -> None:
    # Idempotency keys may have 255 characters; the ledger's own limit (200, less the
    # "goodwill:" prefix) used to refuse keys from 192 characters on.
    customer_id, _ = await _customer_with_an_order(admin)
    before = await _balance(admin, customer_id)
    created = await admin.execute(
        """mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id } } }""",
        {
            "input": {
                "kind": "COMPLAINT",
                "subject": "Late",
                "body": "Very late",
                "customerId": customer_id,
            }
        },
    )
    ticket_id = created["ticketCreate"]["ticket"]["id"]
    grant = """mutation($id: ID!, $key: String) { ticketGoodwillGrant(input: {id: $id, points: 150, reason: "sorry", idempotencyKey: $key}) { userErrors { field code message } } }"""
    for key in ("g" * 200, "g" * 255, "g" * 255):
        body = await admin.execute(grant, {"id": ticket_id, "key": key})
        assert body["ticketGoodwillGrant"]["userErrors"] == [], body
    # Two keys, two grants: the replay of the 255-character key credited nothing more.
    assert await _balance(admin, customer_id) == before + 300
    wider = await admin.execute(grant, {"id": ticket_id, "key": "g" * 256})
    [error] = wider["ticketGoodwillGrant"]["userErrors"]
    assert (error["field"], error["code"]) == (["idempotencyKey"], "INVALID")
    assert await _balance(admin, customer_id) == before + 300


async def test_a_refused_refund_amount_is_reported_at_refund_amount(
    admin: GraphQLClient,
) -> None:
    customer_id, order_id = await _customer_with_an_order(admin)
    created = await admin.execute(
        """mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id } userErrors { code message } } }""",
        {
            "input": {
                "kind": "REFUND",
                "subject": "Broken",
                "body": "It broke",
                "customerId": customer_id,
                "orderId": order_id,
                "lines": [{"sku": "TEE-1", "quantity": 1}],
            }
        },
    )
    ticket_id = created["ticketCreate"]["ticket"]["id"]
    resolve = """mutation($id: ID!, $amount: MoneyInput!) {
      ticketTransition(input: {id: $id, status: RESOLVED, refundAmount: $amount}) {
        ticket { status } userErrors { field code }
      }
    }"""

    too_much = await admin.execute(
        resolve, {"id": ticket_id, "amount": {"amount": 999999, "currency": "EUR"}}
    )
    wrong_currency = await admin.execute(
        resolve, {"id": ticket_id, "amount": {"amount": 100, "currency": "USD"}}
    )

    assert too_much["ticketTransition"] == {
        "ticket": None,
        "userErrors": [{"field": ["refundAmount"], "code": "CONFLICT"}],
    }
    assert wrong_currency["ticketTransition"] == {
        "ticket": None,
        "userErrors": [{"field": ["refundAmount", "currency"], "code": "INVALID"}],
    }
    ticket = await admin.execute(
        "query($id: ID!) { ticket(id: $id) { status } }", {"id": ticket_id}
    )
    assert ticket["ticket"]["status"] == "OPEN"
