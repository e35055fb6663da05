"""Read side of behaviour events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence.queries.paging import Page, PageRequest, count_by_parent, fetch_pages_by_parent
from persistence.tables.activity import activity_events


@dataclass(frozen=True, slots=True)
class ActivityEventView:
    id: UUID
    customer_id: UUID
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    url: str | None
    sku: str | None
    quantity: int | None
    rating: int | None
    order_id: UUID | None
    name: str | None
    properties: dict[str, Any]


def event_from_row(row: Any) -> ActivityEventView:
    m = row._mapping
    return ActivityEventView(**{f: m[f] for f in ActivityEventView.__slots__})


def _statement(kind: str | None) -> Any:
    stmt = select(activity_events)
    if kind is not None:
        stmt = stmt.where(activity_events.c.kind == kind)
    return stmt


async def event_pages_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID], page: PageRequest, kind: str | None
) -> dict[UUID, Page[Any]]:
    return await fetch_pages_by_parent(
        conn,
        _statement(kind),
        activity_events.c.customer_id,
        customer_ids,
        [activity_events.c.occurred_at, activity_events.c.id],
        page,
        descending=True,
    )


async def event_counts_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID], kind: str | None
) -> dict[UUID, int]:
    return await count_by_parent(
        conn, _statement(kind), activity_events.c.customer_id, customer_ids
    )
