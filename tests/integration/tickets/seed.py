"""Rows the tickets tests stand on: customers, orders with lines, memberships.

Inserted directly (these tests are about tickets, not about how customers or orders are
recorded), with explicit keywords for what each test cares about.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from uuid import UUID

import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.ids import new_id
from persistence.db import metadata
from persistence.tables.customers import customers
from persistence.tables.orders import order_lines, orders

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


async def make_customer(engine: AsyncEngine, *, email: str | None = None) -> UUID:
    customer_id = new_id()
    async with engine.begin() as conn:
        await conn.execute(
            insert(customers).values(
                id=customer_id,
                created_at=EPOCH,
                updated_at=EPOCH,
                email=email,
                email_key=email.lower() if email else None,
                public_metadata={},
                private_metadata={},
            )
        )
    return customer_id


async def merge_customer(engine: AsyncEngine, *, loser: UUID, winner: UUID) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(customers).where(customers.c.id == loser).values(merged_into=winner)
        )


async def erase_customer(engine: AsyncEngine, customer_id: UUID) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(customers).where(customers.c.id == customer_id).values(erased_at=EPOCH)
        )


async def make_order(
    engine: AsyncEngine, *, customer_id: UUID, lines: Mapping[str, int] | list[tuple[str, int]]
) -> UUID:
    """An order with one line per (sku, quantity); the same sku may appear twice."""
    order_id = new_id()
    pairs = list(lines.items()) if isinstance(lines, Mapping) else list(lines)
    async with engine.begin() as conn:
        await conn.execute(
            insert(orders).values(
                id=order_id,
                channel="web",
                external_id=str(order_id),
                customer_id=customer_id,
                status="PAID",
                placed_at=EPOCH,
                currency="EUR",
                total_amount=1000 * len(pairs),
                base_total=1000 * len(pairs),
                created_at=EPOCH,
                updated_at=EPOCH,
            )
        )
        for position, (sku, quantity) in enumerate(pairs, start=1):
            await conn.execute(
                insert(order_lines).values(
                    order_id=order_id,
                    position=position,
                    sku=sku,
                    name=sku.title(),
                    quantity=quantity,
                    unit_price=1000,
                )
            )
    return order_id


async def make_membership(engine: AsyncEngine, *, customer_id: UUID, tier_code: str) -> None:
    """A loyalty membership (skips the test when the loyalty tables are not part of the schema)."""
    memberships = metadata.tables.get("memberships")
    if memberships is None:
        pytest.skip("the loyalty context's memberships table is not in the schema")
    async with engine.begin() as conn:
        await conn.execute(
            insert(memberships).values(
                customer_id=customer_id, tier_code=tier_code, tier_since=EPOCH, version=1
            )
        )
