"""SQL expressions of the loyalty context shared by its repositories and read queries.

They spell the domain's rules in SQL: which entries count as earned points, what counts
as net spend, and the text of ids inside idempotency keys (the same on both dialects).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import String, and_, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from domain.loyalty.tiers import QualificationMetric
from persistence.customer_stats import PURCHASE_STATUSES
from persistence.tables.loyalty import points_entries
from persistence.tables.orders import order_refunds, orders


def uuid_text(dialect: str, column: ColumnElement[Any]) -> ColumnElement[str]:
    """`str(uuid)` in SQL: PostgreSQL casts its uuid type; SQLite stores 32 hex digits,
    which are hyphenated here so keys match those written from Python."""
    if dialect == "postgresql":
        return cast(column, String)
    hexed = cast(column, String)
    parts = [func.substr(hexed, start, length) for start, length in _HEX_GROUPS]
    text: ColumnElement[str] = parts[0]
    for part in parts[1:]:
        text = text.concat(literal("-")).concat(part)
    return text


_HEX_GROUPS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


def earned_points(entries: Any = points_entries) -> ColumnElement[int]:
    """What an entry adds to the points earned: EARN and positive ADJUST that created a
    lot count in full; a REVERSE takes back what it was asked for (points + shortfall)."""
    c = entries.c
    return case(
        (c.kind == "EARN", c.points),
        (and_(c.kind == "ADJUST", c.points > 0, c.lot_id.is_not(None)), c.points),
        (c.kind == "REVERSE", c.points - c.shortfall),
        else_=0,
    )


def order_net_amount() -> ColumnElement[int]:
    """An order's base amount less its refunds (for orders that count as purchases)."""
    refunded = (
        select(func.coalesce(func.sum(order_refunds.c.base_amount), 0))
        .where(order_refunds.c.order_id == orders.c.id)
        .scalar_subquery()
    )
    return orders.c.base_total - refunded


def qualifying_subqueries(
    metric: QualificationMetric,
    customer_id: ColumnElement[UUID] | UUID,
    since: datetime,
    until: datetime,
) -> tuple[ColumnElement[int], ColumnElement[datetime]]:
    """Scalar subqueries (value, earliest activity) of one customer's qualifying value in
    (since, until]; `customer_id` may be a correlated column or a plain id."""
    if metric is QualificationMetric.NET_SPEND_365D:
        where = (
            orders.c.customer_id == customer_id,
            orders.c.status.in_(PURCHASE_STATUSES),
            orders.c.placed_at > since,
            orders.c.placed_at <= until,
        )
        value = select(func.coalesce(func.sum(order_net_amount()), 0)).where(*where)
        earliest = select(func.min(orders.c.placed_at)).where(*where)
        return value.scalar_subquery(), earliest.scalar_subquery()
    earned = earned_points()
    in_window = (
        points_entries.c.customer_id == customer_id,
        points_entries.c.created_at > since,
        points_entries.c.created_at <= until,
    )
    value = select(func.coalesce(func.sum(earned), 0)).where(*in_window)
    earliest = select(func.min(points_entries.c.created_at)).where(*in_window, earned != 0)
    return value.scalar_subquery(), earliest.scalar_subquery()
