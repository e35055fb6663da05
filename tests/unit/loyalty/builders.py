"""Builders for loyalty tests: a wired fake unit of work and the facts other contexts emit."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from domain.activity.events import ReviewPosted
from domain.bus import EventHandlers
from domain.customers.events import CustomerCreated
from domain.loyalty.handlers import register_handlers
from domain.loyalty.program import LoyaltyProgram
from domain.orders.events import OrderRecorded, OrderRefunded, OrderStatusChanged
from domain.orders.status import OrderStatus
from tests.unit.fakes import FixedClock
from tests.unit.loyalty.fakes import FakeLoyaltyUnitOfWork, Spend


def make_uow(clock: FixedClock, program: LoyaltyProgram | None = None) -> FakeLoyaltyUnitOfWork:
    handlers = EventHandlers()
    register_handlers(handlers, program or LoyaltyProgram(), clock)
    return FakeLoyaltyUnitOfWork(handlers)


async def create_customer(
    uow: FakeLoyaltyUnitOfWork, clock: FixedClock, *, customer_id: UUID | None = None
) -> UUID:
    customer_id = customer_id or uuid4()
    async with uow:
        uow.emit(CustomerCreated(customer_id=customer_id, created_at=clock.now()))
        await uow.commit()
    return customer_id


async def record_order(
    uow: FakeLoyaltyUnitOfWork,
    clock: FixedClock,
    *,
    customer_id: UUID,
    base_total: int,
    status: OrderStatus = OrderStatus.PAID,
    first: bool = False,
    order_id: UUID | None = None,
    placed_at: datetime | None = None,
) -> UUID:
    """What the orders context does: store the order (its spend) and emit OrderRecorded."""
    order_id = order_id or uuid4()
    at = placed_at or clock.now()
    async with uow:
        if status.counts_as_purchase:
            uow.memberships.spend.append(Spend(customer_id, at, base_total))
        uow.emit(
            OrderRecorded(
                order_id=order_id,
                customer_id=customer_id,
                channel="web",
                placed_at=at,
                status=status,
                base_total=base_total,
                is_first_purchase=first,
            )
        )
        await uow.commit()
    return order_id


async def change_status(
    uow: FakeLoyaltyUnitOfWork,
    clock: FixedClock,
    *,
    customer_id: UUID,
    order_id: UUID,
    old: OrderStatus,
    new: OrderStatus,
    base_total: int,
) -> None:
    async with uow:
        if new.counts_as_purchase and not old.counts_as_purchase:
            uow.memberships.spend.append(Spend(customer_id, clock.now(), base_total))
        uow.emit(
            OrderStatusChanged(
                order_id=order_id,
                customer_id=customer_id,
                old_status=old,
                new_status=new,
                base_total=base_total,
                placed_at=clock.now(),
            )
        )
        await uow.commit()


async def refund_order(
    uow: FakeLoyaltyUnitOfWork,
    *,
    customer_id: UUID,
    order_id: UUID,
    amount: int,
    refunded_total: int,
    order_total: int,
    refund_id: UUID | None = None,
) -> UUID:
    refund_id = refund_id or uuid4()
    async with uow:
        uow.emit(
            OrderRefunded(
                order_id=order_id,
                customer_id=customer_id,
                refund_id=refund_id,
                base_amount=amount,
                order_base_total=order_total,
                base_refunded_total=refunded_total,
                fully_refunded=refunded_total >= order_total,
            )
        )
        await uow.commit()
    return refund_id


async def post_review(
    uow: FakeLoyaltyUnitOfWork, clock: FixedClock, *, customer_id: UUID, event_id: UUID
) -> None:
    async with uow:
        uow.emit(
            ReviewPosted(
                event_id=event_id,
                customer_id=customer_id,
                order_id=None,
                sku="TEE-1",
                rating=5,
                occurred_at=clock.now(),
            )
        )
        await uow.commit()
