"""Set-based loyalty steps of the nightly run, and the points liability report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from domain.errors import ValidationFailed
from domain.loyalty.events import PointsBalanceChanged
from domain.loyalty.ledger import EntryKind, Source, SourceKind, birthday_key
from domain.loyalty.order_points import award_bonus_in
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.repository import LoyaltyUnitOfWork
from domain.money import Money
from domain.ports import Clock


@dataclass(frozen=True, kw_only=True)
class ExpiryReport:
    """What an expiry run did."""

    as_of: datetime
    accounts: int
    points: int


@dataclass(frozen=True, kw_only=True)
class PointsLiability:
    """Points outstanding at `as_of` and what they are worth."""

    as_of: datetime
    points: int
    value: Money


async def expire_points(uow: LoyaltyUnitOfWork, clock: Clock, as_of: datetime) -> ExpiryReport:
    """Expire every lot due by `as_of` (set-based in the repository); idempotent, since an
    expired lot has nothing left to expire."""
    if as_of > clock.now():
        raise ValidationFailed("cannot expire points in the future", field=("asOf",))
    async with uow:
        rows = await uow.points.expire_lots(as_of)
        for row in rows:
            uow.emit(
                PointsBalanceChanged(
                    customer_id=row.customer_id,
                    balance=row.balance,
                    delta=-row.expired,
                    entry_kind=EntryKind.EXPIRE.value,
                )
            )
        await uow.commit()
    return ExpiryReport(as_of=as_of, accounts=len(rows), points=sum(r.expired for r in rows))


async def award_birthday_bonuses(
    uow: LoyaltyUnitOfWork,
    clock: Clock,
    program: LoyaltyProgram,
    on: date,
    *,
    batch_size: int = 500,
) -> int:
    """Credit the birthday bonus to everyone whose birthday is `on`, once per customer and
    year (the key says so); commits per batch. Returns how many were credited."""
    credited = 0
    after: UUID | None = None
    while program.birthday_bonus > 0:
        async with uow:
            batch = await uow.points.birthdays(on, after=after, limit=batch_size)
            for customer_id in batch:
                result = await award_bonus_in(
                    uow,
                    clock,
                    program,
                    customer_id=customer_id,
                    points=program.birthday_bonus,
                    reason="birthday bonus",
                    source=Source(SourceKind.RULE, f"birthday:{on.year}"),
                    idempotency_key=birthday_key(customer_id, on.year),
                )
                credited += result is not None and not result.replayed
            await uow.commit()
        if len(batch) < batch_size:
            break
        after = batch[-1]
    return credited


async def points_liability(
    uow: LoyaltyUnitOfWork, clock: Clock, program: LoyaltyProgram, as_of: datetime | None = None
) -> PointsLiability:
    """Outstanding points at `as_of` (default now) and their value in the base currency."""
    moment = as_of or clock.now()
    async with uow:
        points = await uow.points.outstanding_points(moment)
    return PointsLiability(
        as_of=moment,
        points=points,
        value=Money(program.value_of(points), program.base_currency),
    )
