"""Read side of orders: views, lists per customer, loader batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from persistence.queries.paging import Page, PageRequest, count_by_parent, fetch_pages_by_parent
from persistence.tables.orders import order_lines, order_refunds, orders


@dataclass(frozen=True, slots=True)
class OrderView:
    id: UUID
    channel: str
    external_id: str
    customer_id: UUID
    status: str
    placed_at: datetime
    currency: str
    total_amount: int
    base_total: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OrderLineView:
    order_id: UUID
    position: int
    sku: str
    name: str
    quantity: int
    unit_price: int
    category: str | None


@dataclass(frozen=True, slots=True)
class RefundView:
    id: UUID
    order_id: UUID
    amount: int
    currency: str
    base_amount: int
    reason: str | None
    lines: list[dict[str, Any]]
    created_at: datetime


def order_from_row(row: Any) -> OrderView:
    m = row._mapping
    return OrderView(**{f: m[f] for f in OrderView.__slots__})


def orders_statement() -> tuple[Select[Any], list[ColumnElement[Any]]]:
    """Orders, newest first by placement (keyset keys)."""
    return select(orders), [orders.c.placed_at, orders.c.id]


async def orders_by_id(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, OrderView]:
    rows = (await conn.execute(select(orders).where(orders.c.id.in_(ids)))).all()
    return {row.id: order_from_row(row) for row in rows}


async def order_pages_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID], page: PageRequest
) -> dict[UUID, Page[Any]]:
    stmt, keys = orders_statement()
    return await fetch_pages_by_parent(
        conn, stmt, orders.c.customer_id, customer_ids, keys, page, descending=True
    )


async def order_counts_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID]
) -> dict[UUID, int]:
    stmt, _ = orders_statement()
    return await count_by_parent(conn, stmt, orders.c.customer_id, customer_ids)


async def lines_by_order(
    conn: AsyncConnection, order_ids: Sequence[UUID]
) -> dict[UUID, list[OrderLineView]]:
    rows = (
        await conn.execute(
            select(order_lines)
            .where(order_lines.c.order_id.in_(order_ids))
            .order_by(order_lines.c.order_id, order_lines.c.position)
        )
    ).all()
    found: dict[UUID, list[OrderLineView]] = {}
    for row in rows:
        m = row._mapping
        found.setdefault(row.order_id, []).append(
            OrderLineView(**{f: m[f] for f in OrderLineView.__slots__})
        )
    return found


async def refunds_by_order(
    conn: AsyncConnection, order_ids: Sequence[UUID]
) -> dict[UUID, list[RefundView]]:
    rows = (
        await conn.execute(
            select(order_refunds)
            .where(order_refunds.c.order_id.in_(order_ids))
            .order_by(order_refunds.c.created_at, order_refunds.c.id)
        )
    ).all()
    found: dict[UUID, list[RefundView]] = {}
    for row in rows:
        m = row._mapping
        found.setdefault(row.order_id, []).append(
            RefundView(**{f: m[f] for f in RefundView.__slots__})
        )
    return found
