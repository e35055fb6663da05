"""The customer-stats upsert: one INSERT ... SELECT aggregate ... ON CONFLICT DO UPDATE
for one customer (an order written through the API) or many (an import batch).

It follows the rule of `domain.orders.stats.compute_customer_stats` exactly: purchases
count, refunds are subtracted from the net, the average is the floor of net / count, and
a customer without orders gets a row of zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, Integer, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.orders.status import OrderStatus
from persistence.batches import batches
from persistence.bulk import in_values
from persistence.dialect import insert_for
from persistence.tables.customers import customers
from persistence.tables.orders import customer_stats, order_refunds, orders

PURCHASE_STATUSES = tuple(s.value for s in OrderStatus if s.counts_as_purchase)
COLUMNS = (
    "customer_id",
    "orders_count",
    "net_spent",
    "average_order_value",
    "first_order_at",
    "last_order_at",
    "refunds_count",
    "refunded_total",
)


async def recompute_stats_many(conn: AsyncConnection, customer_ids: Sequence[UUID]) -> None:
    """Recompute the stats of these customers: one statement per 5,000 of them."""
    for chunk in batches(sorted(set(customer_ids))):
        await conn.execute(stats_upsert(conn.dialect.name, chunk))


def stats_upsert(dialect: str, customer_ids: Sequence[UUID]) -> Any:
    """The upsert of these customers' stats (add `.returning(...)` to read them back).

    The aggregate is grouped by customer over these customers' orders only (an index
    scan on orders.customer_id, not a join that would read the whole table), then joined
    to the customers so that a customer without orders gets its zero row too.
    """
    of_orders = _of(orders.c.customer_id, customer_ids, dialect)
    per_order = (
        select(
            order_refunds.c.order_id,
            func.count().label("refunds"),
            func.sum(order_refunds.c.base_amount).label("refunded"),
        )
        .where(order_refunds.c.order_id.in_(select(orders.c.id).where(of_orders)))
        .group_by(order_refunds.c.order_id)
        .subquery()
    )
    purchase = orders.c.status.in_(PURCHASE_STATUSES)
    refunded = func.coalesce(per_order.c.refunded, 0)
    totals = (
        select(
            orders.c.customer_id,
            func.sum(case((purchase, 1), else_=0)).label("orders_count"),
            func.sum(case((purchase, orders.c.base_total - refunded), else_=0)).label("net_spent"),
            func.min(case((purchase, orders.c.placed_at))).label("first_order_at"),
            func.max(case((purchase, orders.c.placed_at))).label("last_order_at"),
            func.sum(per_order.c.refunds).label("refunds_count"),
            func.sum(per_order.c.refunded).label("refunded_total"),
        )
        .select_from(orders.outerjoin(per_order, per_order.c.order_id == orders.c.id))
        .where(of_orders)
        .group_by(orders.c.customer_id)
        .subquery()
    )
    # Sums are cast to BIGINT: PostgreSQL's SUM(bigint) is NUMERIC, whose division is not
    # integer division. Both databases truncate integer division toward zero, so the floor
    # of a negative net is spelled out (nets are not negative today; the rule says floor).
    count = cast(func.coalesce(totals.c.orders_count, 0), Integer)
    net = cast(func.coalesce(totals.c.net_spent, 0), BigInteger)
    average = case(
        (count == 0, literal(0, BigInteger)),
        (net >= 0, net // count),
        else_=-((count - 1 - net) // count),
    )
    source = (
        select(
            customers.c.id,
            count,
            net,
            average,
            totals.c.first_order_at,
            totals.c.last_order_at,
            cast(func.coalesce(totals.c.refunds_count, 0), Integer),
            cast(func.coalesce(totals.c.refunded_total, 0), BigInteger),
        )
        .select_from(customers.outerjoin(totals, totals.c.customer_id == customers.c.id))
        .where(_of(customers.c.id, customer_ids, dialect))
    )
    stmt = insert_for(dialect, customer_stats).from_select(list(COLUMNS), source)
    return stmt.on_conflict_do_update(
        index_elements=[customer_stats.c.customer_id],
        set_={name: stmt.excluded[name] for name in COLUMNS if name != "customer_id"},
    )


def _of(column: Any, ids: Sequence[UUID], dialect: str) -> Any:
    # One customer (every API write) is a plain equality: the statement PostgreSQL
    # caches for it has no array whose size a generic plan would have to guess.
    return column == ids[0] if len(ids) == 1 else in_values(column, ids, dialect)
