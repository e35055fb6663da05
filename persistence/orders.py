"""Repository of the orders context, and the retrying recorder.

An order is read in three statements (the order rows, their lines, their refunds),
whether one order or all of a customer's. Customer stats are recomputed by the upsert of
`persistence.customer_stats`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import (
    and_,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from domain.customers.errors import DuplicateEmail, DuplicateIdentity
from domain.money import Money
from domain.orders.commands import RecordOrder
from domain.orders.content import OrderContent, OrderLine
from domain.orders.errors import OrderAlreadyRecorded
from domain.orders.model import Order
from domain.orders.refunds import Refund, RefundLine
from domain.orders.repository import OrdersUnitOfWork
from domain.orders.services import record_order
from domain.orders.stats import CustomerStats
from domain.orders.status import OrderStatus
from domain.ports import Clock
from persistence.batches import batches
from persistence.customer_stats import stats_upsert
from persistence.tables.orders import customer_stats, order_lines, order_refunds, orders

# What a concurrent twin of record_order can raise: the order itself, or the customer it
# created for an unknown email or identity. A retry takes the replay / found path.
RACE_ERRORS = (OrderAlreadyRecorded, DuplicateEmail, DuplicateIdentity)


async def record_order_retrying(
    make_uow: Callable[[], OrdersUnitOfWork],
    clock: Clock,
    command: RecordOrder,
    *,
    base_currency: str,
    attempts: int = 3,
) -> Order:
    """`record_order` in a fresh unit of work, retried when it lost a race to a
    concurrent identical request (the retry finds that request's order and replays it)."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for _ in range(attempts - 1):
        try:
            return await record_order(make_uow(), clock, command, base_currency=base_currency)
        except RACE_ERRORS:
            continue
    return await record_order(make_uow(), clock, command, base_currency=base_currency)


def _refund_lines_json(refund: Refund) -> list[dict[str, Any]]:
    return [{"sku": line.sku, "quantity": line.quantity} for line in refund.lines]


def _refund_values(order: Order, refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "order_id": order.id,
        "amount": refund.amount.amount,
        "currency": refund.amount.currency,
        "base_amount": refund.base_amount,
        "reason": refund.reason,
        "idempotency_key": refund.idempotency_key,
        "lines": _refund_lines_json(refund),
        "created_at": refund.created_at,
    }


def _stats_from_row(row: Any) -> CustomerStats:
    return CustomerStats(
        customer_id=row.customer_id,
        orders_count=row.orders_count,
        net_spent=row.net_spent,
        average_order_value=row.average_order_value,
        first_order_at=row.first_order_at,
        last_order_at=row.last_order_at,
        refunds_count=row.refunds_count,
        refunded_total=row.refunded_total,
    )


class SqlAlchemyOrderRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, order: Order) -> None:
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(orders).values(
                        id=order.id,
                        channel=order.channel,
                        external_id=order.external_id,
                        customer_id=order.customer_id,
                        status=order.status.value,
                        placed_at=order.placed_at,
                        currency=order.total.currency,
                        total_amount=order.total.amount,
                        base_total=order.base_total,
                        created_at=order.created_at,
                        updated_at=order.updated_at,
                    )
                )
        except IntegrityError as error:
            if "external_id" in str(error.orig):
                raise OrderAlreadyRecorded(
                    f"order {order.channel}:{order.external_id} was recorded concurrently",
                    field=("externalId",),
                ) from error
            raise
        if order.lines:
            await self._conn.execute(
                insert(order_lines),
                [
                    {
                        "order_id": order.id,
                        "position": position,
                        "sku": line.sku,
                        "name": line.name,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price.amount,
                        "category": line.category,
                    }
                    for position, line in enumerate(order.lines)
                ],
            )
        if order.refunds:
            await self._conn.execute(
                insert(order_refunds), [_refund_values(order, r) for r in order.refunds]
            )

    async def save(self, order: Order) -> None:
        await self._conn.execute(
            update(orders)
            .where(orders.c.id == order.id)
            .values(status=order.status.value, updated_at=order.updated_at)
        )
        stored = set(
            (
                await self._conn.execute(
                    select(order_refunds.c.id).where(order_refunds.c.order_id == order.id)
                )
            ).scalars()
        )
        new = [refund for refund in order.refunds if refund.id not in stored]
        if new:
            await self._conn.execute(insert(order_refunds), [_refund_values(order, r) for r in new])

    async def get(self, order_id: UUID) -> Order | None:
        found = await self._load(orders.c.id == order_id)
        return found[0] if found else None

    async def get_for_update(self, order_id: UUID) -> Order | None:
        found = await self._load(orders.c.id == order_id, lock=True)
        return found[0] if found else None

    async def get_by_external_id(self, channel: str, external_id: str) -> Order | None:
        found = await self._load(
            and_(orders.c.channel == channel, orders.c.external_id == external_id)
        )
        return found[0] if found else None

    async def for_customer(self, customer_id: UUID) -> list[Order]:
        return await self._load(orders.c.customer_id == customer_id)

    async def count_for_customer(self, customer_id: UUID) -> int:
        count = await self._conn.execute(
            select(func.count()).select_from(orders).where(orders.c.customer_id == customer_id)
        )
        return int(count.scalar_one())

    async def reassign_all(self, from_customer_id: UUID, to_customer_id: UUID) -> list[UUID]:
        return await self._move(orders.c.customer_id == from_customer_id, to_customer_id)

    async def reassign(
        self, ids: Sequence[UUID], from_customer_id: UUID, to_customer_id: UUID
    ) -> list[UUID]:
        moved: list[UUID] = []
        for batch in batches(list(ids)):
            moved += await self._move(
                and_(orders.c.id.in_(batch), orders.c.customer_id == from_customer_id),
                to_customer_id,
            )
        return moved

    async def recompute_stats(self, customer_id: UUID) -> CustomerStats:
        stmt = stats_upsert(self._conn.dialect.name, [customer_id])
        stmt = stmt.returning(*customer_stats.c)
        return _stats_from_row((await self._conn.execute(stmt)).one())

    async def _move(self, where: ColumnElement[bool], to_customer_id: UUID) -> list[UUID]:
        result = await self._conn.execute(
            update(orders).where(where).values(customer_id=to_customer_id).returning(orders.c.id)
        )
        return list(result.scalars())

    async def _load(self, where: ColumnElement[bool], *, lock: bool = False) -> list[Order]:
        stmt = select(orders).where(where).order_by(orders.c.placed_at, orders.c.id)
        if lock:
            stmt = stmt.with_for_update()
        rows = (await self._conn.execute(stmt)).all()
        if not rows:
            return []
        ids = select(orders.c.id).where(where)
        lines: dict[UUID, list[Any]] = {row.id: [] for row in rows}
        for line in await self._conn.execute(
            select(order_lines)
            .where(order_lines.c.order_id.in_(ids))
            .order_by(order_lines.c.order_id, order_lines.c.position)
        ):
            lines[line.order_id].append(line)
        refunds: dict[UUID, list[Any]] = {row.id: [] for row in rows}
        for refund in await self._conn.execute(
            select(order_refunds)
            .where(order_refunds.c.order_id.in_(ids))
            .order_by(order_refunds.c.created_at, order_refunds.c.id)
        ):
            refunds[refund.order_id].append(refund)
        return [_order_from_rows(row, lines[row.id], refunds[row.id]) for row in rows]


def _order_from_rows(row: Any, lines: list[Any], refunds: list[Any]) -> Order:
    currency = row.currency
    content = OrderContent(
        placed_at=row.placed_at,
        total=Money(row.total_amount, currency),
        base_total=row.base_total,
        lines=tuple(
            OrderLine(
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price=Money(line.unit_price, currency),
                category=line.category,
            )
            for line in lines
        ),
    )
    return Order(
        id=row.id,
        channel=row.channel,
        external_id=row.external_id,
        customer_id=row.customer_id,
        status=OrderStatus(row.status),
        content=content,
        created_at=row.created_at,
        updated_at=row.updated_at,
        refunds=[
            Refund(
                id=r.id,
                amount=Money(r.amount, r.currency),
                base_amount=r.base_amount,
                reason=r.reason,
                idempotency_key=r.idempotency_key,
                lines=tuple(RefundLine(sku=x["sku"], quantity=x["quantity"]) for x in r.lines),
                created_at=r.created_at,
            )
            for r in refunds
        ],
    )
