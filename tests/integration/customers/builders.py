"""Builders for the integration tests of customers, orders and activity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.expression import FromClause

from domain.customers.commands import CreateCustomer, IdentityInput, ProfileFields
from domain.customers.model import Customer
from domain.customers.services import create_customer
from domain.orders.commands import RecordOrder
from domain.orders.model import Order
from domain.orders.services import record_order
from persistence.unit_of_work import SqlUnitOfWork
from tests.unit.fakes import FixedClock

BASE_CURRENCY = "EUR"


async def make_customer(
    uow: SqlUnitOfWork,
    clock: FixedClock,
    *,
    email: str | None = None,
    identities: tuple[tuple[str, str], ...] = (),
    **profile: Any,
) -> Customer:
    return await create_customer(
        uow,
        clock,
        CreateCustomer(
            profile=ProfileFields(email=email, **profile),
            identities=tuple(IdentityInput(channel=c, external_id=e) for c, e in identities),
        ),
    )


async def make_order(uow: SqlUnitOfWork, clock: FixedClock, command: RecordOrder) -> Order:
    return await record_order(uow, clock, command, base_currency=BASE_CURRENCY)


async def count_rows(engine: AsyncEngine, table: FromClause, *where: Any) -> int:
    async with engine.connect() as conn:
        stmt = select(func.count()).select_from(table).where(*where)
        return int((await conn.execute(stmt)).scalar_one())


async def fetch_one(engine: AsyncEngine, table: FromClause, *where: Any) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(select(table).where(*where))).one()
