"""Closing the points account of an erased customer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.customers.events import CustomerErased
from domain.loyalty.erasure import (
    ERASURE_REASON,
    ERASURE_SOURCE,
    erasure_key,
    register_erasure_handler,
)
from domain.loyalty.errors import ReasonRequired
from domain.loyalty.ledger import Allocation, EntryKind, PointsAccount, Posting
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.repository import LoyaltyUnitOfWork
from tests.unit.fakes import FixedClock
from tests.unit.loyalty.builders import create_customer, make_uow
from tests.unit.loyalty.fakes import FakeLoyaltyUnitOfWork

T0 = datetime(2026, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)


def closing(key: str = "erasure:x", reason: str = ERASURE_REASON) -> Posting:
    return Posting(reason=reason, actor="system", source=ERASURE_SOURCE, idempotency_key=key)


def account_with_lots(*lots: tuple[int, timedelta]) -> PointsAccount:
    """An account with one lot per (points, lifetime), earned a day apart from T0."""
    account = PointsAccount(customer_id=uuid4())
    for day, (points, lifetime) in enumerate(lots):
        at = T0 + timedelta(days=day)
        account.earn(points, closing(key=f"earn-{day}"), now=at, expires_at=at + lifetime)
    return account


def test_close_takes_every_open_lot_oldest_first_in_one_adjust_entry() -> None:
    account = account_with_lots((100, YEAR), (50, YEAR))
    first, second = account.lots
    account.redeem(30, closing(key="spend"), now=T0 + timedelta(days=5))
    account.take_changes()

    entry = account.close(closing(), now=T0 + timedelta(days=10))

    assert entry is not None
    assert (entry.kind, entry.points, entry.balance_after) == (EntryKind.ADJUST, -120, 0)
    assert entry.allocations == (Allocation(first.id, 70), Allocation(second.id, 50))
    assert (account.balance, account.lots, account.lifetime_earned) == (0, [], 150)
    changes = account.take_changes()
    assert [lot.remaining for lot in changes.changed_lots] == [0, 0]


def test_close_expires_due_lots_first_then_takes_the_rest() -> None:
    account = account_with_lots((100, timedelta(days=3)), (40, YEAR))
    account.take_changes()

    entry = account.close(closing(), now=T0 + timedelta(days=10))

    kinds = [(e.kind, e.points) for e in account.take_changes().entries]
    assert kinds == [(EntryKind.EXPIRE, -100), (EntryKind.ADJUST, -40)]
    assert entry is not None and entry.balance_after == account.balance == 0


def test_closing_an_empty_account_appends_nothing() -> None:
    account = PointsAccount(customer_id=uuid4())

    assert account.close(closing(), now=T0) is None
    assert account.take_changes().entries == ()


def test_closing_needs_a_reason() -> None:
    account = account_with_lots((10, YEAR))

    with pytest.raises(ReasonRequired):
        account.close(closing(reason=" "), now=T0 + timedelta(days=1))


def erasing_uow(clock: FixedClock) -> FakeLoyaltyUnitOfWork:
    uow = make_uow(clock, LoyaltyProgram())
    register_erasure_handler(uow.handlers, clock)
    return uow


async def erase(uow: LoyaltyUnitOfWork, customer_id: UUID) -> None:
    async with uow:
        uow.emit(CustomerErased(customer_id=customer_id))
        await uow.commit()


async def test_an_erased_customers_balance_is_closed_once() -> None:
    clock = FixedClock()
    uow = erasing_uow(clock)
    customer_id = await create_customer(uow, clock)
    balance = uow.points.balance_of(customer_id)
    assert balance > 0  # the sign-up bonus

    await erase(uow, customer_id)
    await erase(uow, customer_id)

    ledger = uow.points.ledger_of(customer_id)
    assert uow.points.balance_of(customer_id) == sum(e.points for e in ledger) == 0
    assert sum(lot.remaining for lot in uow.points.lots_of(customer_id)) == 0
    closing_entries = [e for e in ledger if e.idempotency_key == erasure_key(customer_id)]
    assert [(e.kind, e.points, e.source) for e in closing_entries] == [
        (EntryKind.ADJUST, -balance, ERASURE_SOURCE)
    ]


async def test_erasing_a_customer_without_points_appends_nothing() -> None:
    clock = FixedClock()
    uow = erasing_uow(clock)
    customer_id = uuid4()

    await erase(uow, customer_id)

    assert uow.points.ledger_of(customer_id) == []
