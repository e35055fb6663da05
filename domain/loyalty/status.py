"""The member status read model: what an app shows on "my tier, my points, my progress".

Progress deadline. The qualifying value counts activity in the rolling window (365 days)
ending now; each purchase (or earning) keeps counting for 365 days after it happened. The
`remaining` amount is measured against today's value, which starts to shrink when the
oldest activity it counts leaves the window. So:

    deadline = (oldest activity counted today + window length).date()

is the last day by which `remaining` must be reached for today's value to still count
in full. With no activity in the window, `deadline` is today + window length: the whole
threshold has to be reached within one window starting now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.loyalty.ledger import PointsAccount
from domain.loyalty.membership import Membership
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.tiers import Tier, TierLadder


@dataclass(frozen=True, kw_only=True)
class TierProgress:
    """How far the next tier is: its code, what is still needed, and by when."""

    next_tier: str
    remaining: int
    deadline: date


@dataclass(frozen=True, kw_only=True)
class ExpiringPoints:
    """`amount` points expiring on `date`."""

    amount: int
    date: date


@dataclass(frozen=True, kw_only=True)
class MemberStatus:
    """Tier, benefits, progress and points of one member."""

    customer_id: UUID
    tier: Tier
    tier_since: datetime
    hold_until: date | None
    progress: TierProgress | None
    """None at the top tier."""
    balance: int
    lifetime_earned: int
    expiring_soon: tuple[ExpiringPoints, ...]
    """Lots expiring within `LoyaltyProgram.expiring_soon_days`, by date."""

    @property
    def benefits(self) -> tuple[str, ...]:
        return self.tier.benefits


def progress_to(
    next_tier: Tier,
    value: int,
    oldest_counted_at: datetime | None,
    now: datetime,
    window: timedelta,
) -> TierProgress:
    """Progress toward `next_tier` given today's qualifying value in its metric."""
    start = oldest_counted_at if value > 0 and oldest_counted_at is not None else now
    return TierProgress(
        next_tier=next_tier.code,
        remaining=max(0, next_tier.threshold - value),
        deadline=(start + window).date(),
    )


def member_status(
    *,
    membership: Membership,
    ladder: TierLadder,
    account: PointsAccount,
    progress: TierProgress | None,
    program: LoyaltyProgram,
    now: datetime,
) -> MemberStatus:
    """Assemble the status; expired-but-not-yet-swept lots are left out of the balance."""
    soon: dict[date, int] = defaultdict(int)
    horizon = now + timedelta(days=program.expiring_soon_days)
    for expires_at, points in account.expiring_between(now, horizon):
        soon[expires_at.date()] += points
    return MemberStatus(
        customer_id=membership.customer_id,
        tier=ladder.get(membership.tier_code),
        tier_since=membership.tier_since,
        hold_until=membership.hold_until,
        progress=progress,
        balance=account.available(now),
        lifetime_earned=account.lifetime_earned,
        expiring_soon=tuple(ExpiringPoints(amount=a, date=d) for d, a in sorted(soon.items())),
    )
