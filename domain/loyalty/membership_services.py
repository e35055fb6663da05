"""Use cases on memberships: begin, qualify on orders, nightly evaluation, member status.

Functions named `*_in` work inside a unit of work that the caller (a use case or an
in-transaction handler) has already entered, and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from domain.loyalty.ledger import PointsAccount
from domain.loyalty.membership import Membership
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.repository import LoyaltyUnitOfWork
from domain.loyalty.status import MemberStatus, TierProgress, member_status, progress_to
from domain.loyalty.tier_services import load_ladder
from domain.loyalty.tiers import TierLadder
from domain.ports import Clock


@dataclass(frozen=True, kw_only=True)
class EvaluationReport:
    """What a nightly evaluation did."""

    as_of: date
    reviewed: int
    downgraded: int
    upgraded: int


async def membership_in(
    uow: LoyaltyUnitOfWork, ladder: TierLadder, customer_id: UUID, now: datetime
) -> Membership:
    """The customer's membership, row-locked; begun in the lowest tier if missing."""
    membership = await uow.memberships.get_for_update(customer_id)
    if membership is None:
        membership = Membership.begin(customer_id, ladder, now)
        await uow.memberships.add(membership)
        _emit(uow, membership)
    return membership


async def qualify_in(
    uow: LoyaltyUnitOfWork, clock: Clock, program: LoyaltyProgram, customer_id: UUID
) -> Membership:
    """Re-compute the customer's qualification now: upgrade at once or extend the hold."""
    now = clock.now()
    ladder = await load_ladder(uow)
    membership = await membership_in(uow, ladder, customer_id, now)
    since = now - timedelta(days=program.qualifying_window_days)
    values = {
        metric: await uow.memberships.qualifying_value(customer_id, metric, since, now)
        for metric in ladder.metrics()
    }
    before = (membership.tier_code, membership.hold_until)
    membership.qualify(ladder, ladder.highest_qualified(values), now)
    if (membership.tier_code, membership.hold_until) != before:
        await uow.memberships.save(membership)
        _emit(uow, membership)
    return membership


async def evaluate_memberships(
    uow: LoyaltyUnitOfWork,
    clock: Clock,
    program: LoyaltyProgram,
    as_of: date,
    *,
    batch_size: int = 500,
) -> EvaluationReport:
    """Nightly: move members whose hold ended on or before `as_of` to the highest tier they
    still qualify for (extending the hold if that is the tier held). Idempotent for a date;
    commits per batch, so a failed run resumes where it stopped."""
    # Evaluate as at the end of `as_of` (a re-run for a past date sees that day), but
    # never in the future.
    now = min(datetime.combine(as_of, time.max, tzinfo=UTC), clock.now())
    since = now - timedelta(days=program.qualifying_window_days)
    reviewed = downgraded = upgraded = 0
    after: UUID | None = None
    while True:
        async with uow:
            ladder = await load_ladder(uow)
            batch = await uow.memberships.hold_expired(
                as_of, since, now, after=after, limit=batch_size
            )
            for candidate in batch:
                membership = candidate.membership
                before = ladder.get(membership.tier_code).rank
                if membership.review(ladder, ladder.highest_qualified(candidate.values), now):
                    after_rank = ladder.get(membership.tier_code).rank
                    downgraded += after_rank < before
                    upgraded += after_rank > before
                await uow.memberships.save(membership)
                _emit(uow, membership)
            reviewed += len(batch)
            await uow.commit()
        if len(batch) < batch_size:
            return EvaluationReport(
                as_of=as_of, reviewed=reviewed, downgraded=downgraded, upgraded=upgraded
            )
        after = batch[-1].membership.customer_id


async def get_member_status(
    uow: LoyaltyUnitOfWork, clock: Clock, program: LoyaltyProgram, customer_id: UUID
) -> MemberStatus:
    """Tier, benefits, progress to the next tier and points of one member."""
    now = clock.now()
    async with uow:
        ladder = TierLadder(await uow.tiers.list())
        membership = await uow.memberships.get(customer_id)
        if membership is None:
            # Not stored yet (a customer from before loyalty): show the lowest tier.
            membership = Membership.begin(customer_id, ladder, now)
        account = await uow.points.get(customer_id) or PointsAccount(customer_id=customer_id)
        progress: TierProgress | None = None
        next_tier = ladder.next_above(membership.tier_code)
        if next_tier is not None:
            window = timedelta(days=program.qualifying_window_days)
            value = await uow.memberships.qualifying_value(
                customer_id, next_tier.metric, now - window, now
            )
            oldest = await uow.memberships.earliest_qualifying_at(
                customer_id, next_tier.metric, now - window, now
            )
            progress = progress_to(next_tier, value, oldest, now, window)
        return member_status(
            membership=membership,
            ladder=ladder,
            account=account,
            progress=progress,
            program=program,
            now=now,
        )


def _emit(uow: LoyaltyUnitOfWork, membership: Membership) -> None:
    for event in membership.take_events():
        uow.emit(event)
