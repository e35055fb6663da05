"""Helpers of the loyalty integration tests: customers, units of work, a ledger probe."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.bus import EventHandlers
from persistence.tables.customers import customers
from persistence.tables.loyalty import points_accounts, points_entries, points_lots
from persistence.tables.orders import order_refunds, orders
from persistence.unit_of_work import NullPublisher, SqlUnitOfWork
from tests.unit.loyalty.ledger_machine import LedgerSnapshot


async def insert_customer(
    engine: AsyncEngine, customer_id: UUID | None = None, **columns: object
) -> UUID:
    """A bare customer row (no events, so no membership or bonus)."""
    customer_id = customer_id or uuid4()
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(
            insert(customers).values(
                id=customer_id,
                created_at=now,
                updated_at=now,
                public_metadata={},
                private_metadata={},
                **columns,
            )
        )
    return customer_id


async def insert_order(
    engine: AsyncEngine,
    customer_id: UUID,
    base_total: int,
    status: str,
    placed_at: datetime,
    refunded: int = 0,
) -> None:
    """An order row (and a refund) as the orders context stores them."""
    order_id = uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            insert(orders).values(
                id=order_id,
                channel="web",
                external_id=str(order_id),
                customer_id=customer_id,
                status=status,
                placed_at=placed_at,
                currency="EUR",
                total_amount=base_total,
                base_total=base_total,
                created_at=placed_at,
                updated_at=placed_at,
            )
        )
        if refunded:
            await conn.execute(
                insert(order_refunds).values(
                    id=uuid4(),
                    order_id=order_id,
                    amount=refunded,
                    currency="EUR",
                    base_amount=refunded,
                    reason=None,
                    idempotency_key=str(uuid4()),
                    lines=[],
                    created_at=placed_at,
                )
            )


def plain_uow(engine: AsyncEngine) -> SqlUnitOfWork:
    """A unit of work without handlers or publishing: the loyalty use cases alone."""
    return SqlUnitOfWork(
        engine, handlers=EventHandlers(), publisher=NullPublisher(), now=lambda: datetime.now(UTC)
    )


class SqlLedgerProbe:
    """Reads back what the tables hold for one customer."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def snapshot(self, customer_id: UUID) -> LedgerSnapshot:
        async with self.engine.connect() as conn:
            balance = (
                await conn.execute(
                    select(points_accounts.c.balance).where(
                        points_accounts.c.customer_id == customer_id
                    )
                )
            ).scalar_one_or_none()
            ledger_sum, lowest = (
                await conn.execute(
                    select(
                        func.coalesce(func.sum(points_entries.c.points), 0),
                        func.coalesce(func.min(points_entries.c.balance_after), 0),
                    ).where(points_entries.c.customer_id == customer_id)
                )
            ).one()
            lots = (
                await conn.execute(
                    select(points_lots.c.expires_at, points_lots.c.remaining).where(
                        points_lots.c.customer_id == customer_id
                    )
                )
            ).all()
        return LedgerSnapshot(
            balance=balance or 0,
            ledger_sum=int(ledger_sum),
            lots=[(row.expires_at, row.remaining) for row in lots],
            lowest_balance_after=int(lowest),
        )
