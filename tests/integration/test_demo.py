"""`patronage demo`: a store with every kind of data a user explores first."""

from __future__ import annotations

import io

from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from patronage.demo import seed
from patronage.settings import Settings
from persistence.tables.activity import activity_events
from persistence.tables.customers import consent_entries, customer_identities, customers
from persistence.tables.orders import order_refunds, orders
from persistence.tables.tickets import tickets


async def _count(engine: AsyncEngine, stmt: object) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(stmt)).scalar_one())  # type: ignore[call-overload]


async def test_the_demo_seeds_every_part_once_and_prints_keys(
    engine: AsyncEngine, settings: Settings
) -> None:
    keys = await seed(settings, Console(file=io.StringIO()), count=40)
    assert set(keys) == {"ADMIN", "STOREFRONT"}
    assert await _count(engine, select(func.count()).select_from(customers)) == 40
    channels = select(func.count(func.distinct(customer_identities.c.channel)))
    assert await _count(engine, channels) == 2
    assert await _count(engine, select(func.count()).select_from(consent_entries)) > 0
    span = select(func.min(orders.c.placed_at), func.max(orders.c.placed_at))
    async with engine.connect() as conn:
        first, last = (await conn.execute(span)).one()
        assert (last - first).days > 365  # two years of orders
        kinds = set((await conn.execute(select(activity_events.c.kind).distinct())).scalars())
    assert kinds == {
        "PAGE_VIEW",
        "PRODUCT_VIEW",
        "ADD_TO_CART",
        "CHECKOUT_STARTED",
        "REVIEW_POSTED",
        "CUSTOM",
    }
    assert await _count(engine, select(func.count()).select_from(order_refunds)) > 0
    # Customers signed up before their first order, over the two years, not at seeding.
    first_orders = (
        select(orders.c.customer_id, func.min(orders.c.placed_at).label("first"))
        .group_by(orders.c.customer_id)
        .subquery()
    )
    signed_up = select(customers.c.created_at, first_orders.c.first).join(
        first_orders, first_orders.c.customer_id == customers.c.id
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(signed_up)).all()
        oldest = (await conn.execute(select(func.min(customers.c.created_at)))).scalar_one()
    assert rows and all(created <= first for created, first in rows)
    assert (last - oldest).days > 365
    assert await _count(engine, select(func.count()).select_from(tickets)) > 0
    # A second run seeds nothing more, and still hands out keys.
    again = await seed(settings, Console(file=io.StringIO()), count=40)
    assert set(again) == {"ADMIN", "STOREFRONT"}
    assert await _count(engine, select(func.count()).select_from(customers)) == 40
