"""Fifty clients redeeming one balance at once spend it exactly once (PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import Counter
from uuid import uuid4

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.tables.loyalty import points_entries
from tests.api.loyalty.support import REDEEM, adjust, ledger, new_customer, stored_balance, uuid_of
from tests.conftest import GraphQLClient

CLIENTS = 50


async def test_fifty_concurrent_redemptions_of_the_whole_balance_spend_it_once(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    # Given a balance of 1,000 points
    customer = await new_customer(admin)
    balance = (await adjust(admin, customerId=customer, points=900))["balance"]
    assert balance == 1_000

    # When fifty requests each redeem the whole balance at the same time
    requests = [
        admin.post(
            REDEEM,
            {"input": {"customerId": customer, "points": balance, "idempotencyKey": uuid4().hex}},
        )
        for _ in range(CLIENTS)
    ]
    responses = await asyncio.gather(*requests)

    # Then exactly one succeeds and every other one is told the points are not there
    payloads = [r.json()["data"]["pointsRedeem"] for r in responses]
    outcomes = Counter(p["userErrors"][0]["code"] if p["userErrors"] else "OK" for p in payloads)
    assert outcomes == {"OK": 1, "INSUFFICIENT_POINTS": CLIENTS - 1}
    # And the ledger still sums to the balance, with a single redemption in it
    assert await stored_balance(engine, customer) == 0
    count, total = await ledger(engine, customer)
    assert total == 0
    async with engine.connect() as conn:
        kinds = (
            (
                await conn.execute(
                    select(points_entries.c.kind).where(
                        points_entries.c.customer_id == uuid_of(customer)
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted(kinds) == ["ADJUST", "EARN", "REDEEM"]
    assert count == 3
