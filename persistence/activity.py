"""Repository of the activity context: behaviour events, stored in bulk, moved and
anonymised set-based."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from domain.activity.model import ActivityEvent, ActivityKind
from persistence.batches import batches
from persistence.tables.activity import activity_events

# Rows per multi-row INSERT: 12 columns each keeps a statement under 32k parameters.
INSERT_ROWS = 1000


def _event_values(event: ActivityEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "customer_id": event.customer_id,
        "kind": event.kind.value,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "url": event.url,
        "sku": event.sku,
        "quantity": event.quantity,
        "rating": event.rating,
        "order_id": event.order_id,
        "name": event.name,
        "properties": event.properties,
    }


def _event_from_row(row: Any) -> ActivityEvent:
    return ActivityEvent(
        id=row.id,
        customer_id=row.customer_id,
        kind=ActivityKind(row.kind),
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        url=row.url,
        sku=row.sku,
        quantity=row.quantity,
        rating=row.rating,
        order_id=row.order_id,
        name=row.name,
        properties=dict(row.properties or {}),
    )


class SqlAlchemyActivityRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_many(self, events: Sequence[ActivityEvent]) -> None:
        for batch in batches(events, INSERT_ROWS):
            # .values([...]) renders one INSERT ... VALUES (...), (...), ... statement.
            await self._conn.execute(
                insert(activity_events).values([_event_values(e) for e in batch])
            )

    async def for_customer(self, customer_id: UUID) -> list[ActivityEvent]:
        rows = await self._conn.execute(
            select(activity_events)
            .where(activity_events.c.customer_id == customer_id)
            .order_by(activity_events.c.occurred_at, activity_events.c.id)
        )
        return [_event_from_row(row) for row in rows]

    async def count_for_customer(self, customer_id: UUID) -> int:
        count = await self._conn.execute(
            select(func.count())
            .select_from(activity_events)
            .where(activity_events.c.customer_id == customer_id)
        )
        return int(count.scalar_one())

    async def reassign_all(self, from_customer_id: UUID, to_customer_id: UUID) -> list[UUID]:
        return await self._move(activity_events.c.customer_id == from_customer_id, to_customer_id)

    async def reassign(
        self, ids: Sequence[UUID], from_customer_id: UUID, to_customer_id: UUID
    ) -> list[UUID]:
        moved: list[UUID] = []
        for batch in batches(list(ids)):
            moved += await self._move(
                and_(
                    activity_events.c.id.in_(batch),
                    activity_events.c.customer_id == from_customer_id,
                ),
                to_customer_id,
            )
        return moved

    async def anonymise_for_customer(self, customer_id: UUID) -> int:
        result = await self._conn.execute(
            update(activity_events)
            .where(activity_events.c.customer_id == customer_id)
            .values(url=None, properties={})
        )
        return int(result.rowcount or 0)

    async def _move(self, where: ColumnElement[bool], to_customer_id: UUID) -> list[UUID]:
        result = await self._conn.execute(
            update(activity_events)
            .where(where)
            .values(customer_id=to_customer_id)
            .returning(activity_events.c.id)
        )
        return list(result.scalars())
