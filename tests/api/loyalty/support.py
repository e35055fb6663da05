"""Helpers of the loyalty API tests: customers, tokens, the ledger as stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from api.relay import decode_id
from persistence.tables.loyalty import points_accounts, points_entries
from tests.conftest import GraphQLClient

CREATE = """
mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { id } userErrors { code message } }
}"""

REDEEM = """
mutation($input: PointsRedeemInput!) {
  pointsRedeem(input: $input) {
    transaction { id kind points balanceAfter reason createdAt lots { lotId points } }
    delta balance dryRun
    lots { lotId points earnedAt expiresAt }
    userErrors { field code message }
  }
}"""

ADJUST = """
mutation($input: PointsAdjustInput!) {
  pointsAdjust(input: $input) {
    transaction { id kind points balanceAfter reason source { kind id } }
    delta balance dryRun
    lots { lotId points earnedAt expiresAt }
    userErrors { field code message }
  }
}"""

TICKET = """
mutation($input: TicketCreateInput!) {
  ticketCreate(input: $input) { ticket { id } userErrors { code message } }
}"""

SIGNUP_BONUS = 100


async def new_customer(client: GraphQLClient, email: str | None = None) -> str:
    """A customer through the API (with the sign-up bonus); its global id."""
    email = email or f"{uuid4().hex[:12]}@example.com"
    body = await client.execute(CREATE, {"input": {"email": email}})
    payload = body["customerCreate"]
    assert payload["userErrors"] == [], payload
    global_id: str = payload["customer"]["id"]
    return global_id


async def new_ticket(client: GraphQLClient, customer: str) -> str:
    """A ticket of the customer (a Customer global id); the ticket's global id."""
    body = await client.execute(
        TICKET,
        {
            "input": {
                "kind": "COMPLAINT",
                "subject": "Late parcel",
                "body": "Still waiting.",
                "customerId": customer,
            }
        },
    )
    payload = body["ticketCreate"]
    assert payload["userErrors"] == [], payload
    global_id: str = payload["ticket"]["id"]
    return global_id


def uuid_of(global_id: str) -> UUID:
    return decode_id(global_id, "Customer")


def token_for(services: Services, global_id: str) -> str:
    token, _ = services.tokens.issue(uuid_of(global_id), issued_by=uuid4(), now=datetime.now(UTC))
    return token


async def redeem(client: GraphQLClient, **fields: object) -> dict[str, Any]:
    fields.setdefault("idempotencyKey", uuid4().hex)
    payload: dict[str, Any] = (await client.execute(REDEEM, {"input": fields}))["pointsRedeem"]
    return payload


async def adjust(client: GraphQLClient, **fields: object) -> dict[str, Any]:
    fields.setdefault("idempotencyKey", uuid4().hex)
    fields.setdefault("reason", "goodwill")
    payload: dict[str, Any] = (await client.execute(ADJUST, {"input": fields}))["pointsAdjust"]
    return payload


async def stored_balance(engine: AsyncEngine, global_id: str) -> int:
    async with engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    select(points_accounts.c.balance).where(
                        points_accounts.c.customer_id == uuid_of(global_id)
                    )
                )
            ).scalar_one()
        )


async def ledger(engine: AsyncEngine, global_id: str) -> tuple[int, int]:
    """(number of entries, sum of their points) of a customer."""
    async with engine.connect() as conn:
        count, total = (
            await conn.execute(
                select(func.count(), func.coalesce(func.sum(points_entries.c.points), 0)).where(
                    points_entries.c.customer_id == uuid_of(global_id)
                )
            )
        ).one()
    return int(count), int(total)
