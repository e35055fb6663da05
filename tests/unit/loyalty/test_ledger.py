"""Rules of the PointsAccount aggregate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.loyalty.errors import InsufficientPoints, InvalidPointsAmount, ReasonRequired
from domain.loyalty.ledger import (
    Allocation,
    EntryKind,
    PointsAccount,
    Posting,
    Source,
    SourceKind,
    expiry_key,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)


def posting(key: str | None = None, reason: str = "test") -> Posting:
    return Posting(
        reason=reason,
        actor="tester",
        source=Source(SourceKind.MANUAL, "t"),
        idempotency_key=key or str(uuid4()),
    )


def account_with_lots(*amounts: int) -> PointsAccount:
    """An account with one lot per amount, earned a day apart, expiring a year later."""
    account = PointsAccount(customer_id=uuid4())
    for day, amount in enumerate(amounts):
        at = T0 + timedelta(days=day)
        account.earn(amount, posting(), now=at, expires_at=at + YEAR)
    return account


def test_redeem_takes_the_oldest_lots_first() -> None:
    account = account_with_lots(100, 50, 30)
    first, second, third = account.lots

    entry = account.redeem(120, posting(), now=T0 + timedelta(days=10))

    assert entry.kind is EntryKind.REDEEM and entry.points == -120
    assert entry.allocations == (Allocation(first.id, 100), Allocation(second.id, 20))
    assert [lot.remaining for lot in account.lots] == [30, 30]
    assert account.lots[0] is second and third.remaining == 30
    assert entry.balance_after == account.balance == 60


def test_redeem_more_than_the_balance_is_refused_and_changes_nothing() -> None:
    account = account_with_lots(100)
    account.take_changes()

    with pytest.raises(InsufficientPoints) as error:
        account.redeem(101, posting(), now=T0 + timedelta(days=1))

    assert error.value.field == ("points",)
    assert account.balance == 100
    assert account.lots[0].remaining == 100
    assert account.take_changes().entries == ()


@pytest.mark.parametrize("points", [0, -5, 1_000_000_001])
def test_an_amount_out_of_range_is_refused(points: int) -> None:
    account = account_with_lots(100)

    with pytest.raises(InvalidPointsAmount):
        account.redeem(points, posting(), now=T0)
    with pytest.raises(InvalidPointsAmount):
        account.earn(points, posting(), now=T0, expires_at=T0 + YEAR)


def test_a_reversal_beyond_the_balance_takes_what_is_there_and_records_the_shortfall() -> None:
    account = account_with_lots(40, 20)

    entry = account.reverse(100, posting(), now=T0 + timedelta(days=5))

    assert entry.kind is EntryKind.REVERSE
    assert (entry.points, entry.shortfall, entry.balance_after) == (-60, 40, 0)
    assert account.balance == 0 and account.lots == []


def test_a_reversal_on_an_empty_balance_records_the_whole_shortfall() -> None:
    account = PointsAccount(customer_id=uuid4())

    entry = account.reverse(25, posting(), now=T0)

    assert (entry.points, entry.shortfall, entry.allocations) == (0, 25, ())
    assert account.balance == 0


def test_expiry_empties_each_due_lot_with_an_entry_dated_at_its_expiry() -> None:
    account = account_with_lots(100, 50, 30)
    account.redeem(120, posting(), now=T0 + timedelta(days=3))
    account.take_changes()
    first_left, second_left = account.lots

    entries = account.expire_due(T0 + YEAR + timedelta(days=1, hours=1))

    assert [(e.kind, e.points, e.created_at) for e in entries] == [
        (EntryKind.EXPIRE, -30, T0 + timedelta(days=1) + YEAR),
    ]
    assert entries[0].idempotency_key == expiry_key(first_left.id)
    assert entries[0].allocations == (Allocation(first_left.id, 30),)
    assert account.lots == [second_left]
    assert account.balance == 30


def test_expired_points_cannot_be_spent() -> None:
    account = account_with_lots(100)

    with pytest.raises(InsufficientPoints):
        account.redeem(1, posting(), now=T0 + YEAR)

    expired = [e for e in account.take_changes().entries if e.kind is EntryKind.EXPIRE]
    assert [e.points for e in expired] == [-100]


def test_a_manual_deduction_needs_a_reason() -> None:
    account = account_with_lots(100)

    with pytest.raises(ReasonRequired) as error:
        account.deduct(10, posting(reason=" "), now=T0)

    assert error.value.field == ("reason",)
    assert account.balance == 100


def test_the_balance_always_equals_the_ledger_and_the_lots() -> None:
    account = account_with_lots(70, 30)
    account.redeem(50, posting(), now=T0 + timedelta(days=2))
    account.reverse(10, posting(), now=T0 + timedelta(days=2))
    account.deduct(5, posting(), now=T0 + timedelta(days=2))

    entries = account.take_changes().entries
    assert account.balance == sum(e.points for e in entries) == 35
    assert account.balance == sum(lot.remaining for lot in account.lots)
    assert account.lifetime_earned == 90
