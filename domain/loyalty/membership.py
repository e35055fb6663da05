"""Memberships: a customer's tier, since when, how long it is held, and its history.

Rules: upgrades happen as soon as the customer qualifies; qualifying again for the tier
held moves `hold_until` on; downgrades only happen in `review` (the nightly evaluation),
once `hold_until` has passed, and never below the highest tier the customer still
qualifies for. The lowest tier is never held (`hold_until` is None).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from domain.loyalty.events import MembershipTierChanged
from domain.loyalty.program import add_months_to_date
from domain.loyalty.tiers import Tier, TierLadder


class TierChangeReason(StrEnum):
    """Why a membership changed tier."""

    INITIAL = "INITIAL"
    UPGRADE = "UPGRADE"
    DOWNGRADE = "DOWNGRADE"
    MANUAL = "MANUAL"


@dataclass(frozen=True, kw_only=True)
class TierChange:
    """One line of the tier history; `from_code` is None for the first."""

    customer_id: UUID
    from_code: str | None
    to_code: str
    reason: TierChangeReason
    at: datetime


@dataclass(kw_only=True)
class Membership:
    """A customer's standing in the programme (one per customer)."""

    customer_id: UUID
    tier_code: str
    tier_since: datetime
    hold_until: date | None = None
    _changes: list[TierChange] = field(default_factory=list, init=False, repr=False)
    _events: list[MembershipTierChanged] = field(default_factory=list, init=False, repr=False)

    @classmethod
    def begin(cls, customer_id: UUID, ladder: TierLadder, now: datetime) -> Membership:
        """A new member, in the lowest tier."""
        membership = cls(customer_id=customer_id, tier_code=ladder.lowest.code, tier_since=now)
        membership._record(None, ladder.lowest.code, TierChangeReason.INITIAL, now)
        return membership

    def qualify(self, ladder: TierLadder, qualified: Tier, now: datetime) -> bool:
        """Apply a qualification: upgrade at once, or extend the hold of the tier held.

        Returns whether the tier changed. A qualification below the tier held changes
        nothing (downgrades wait for `review`).
        """
        current = ladder.get(self.tier_code)
        if qualified.rank < current.rank:
            return False
        self.hold_until = _hold_until(ladder, qualified, now)
        if qualified.rank == current.rank:
            return False
        self._move(qualified.code, TierChangeReason.UPGRADE, now)
        return True

    def review(self, ladder: TierLadder, qualified: Tier, now: datetime) -> bool:
        """The nightly evaluation: after the hold, move to the tier still qualified for.

        Before `hold_until` only an upgrade can happen. Returns whether the tier changed.
        """
        current = ladder.get(self.tier_code)
        if qualified.rank >= current.rank or not self.hold_expired(now.date()):
            return self.qualify(ladder, qualified, now)
        self.hold_until = _hold_until(ladder, qualified, now)
        self._move(qualified.code, TierChangeReason.DOWNGRADE, now)
        return True

    def assign(
        self, ladder: TierLadder, tier: Tier, now: datetime, hold_until: date | None
    ) -> bool:
        """A manual move (support, customer merge) to `tier`, held until `hold_until`."""
        ladder.get(tier.code)
        self.hold_until = None if tier.rank == ladder.lowest.rank else hold_until
        if tier.code == self.tier_code:
            return False
        self._move(tier.code, TierChangeReason.MANUAL, now)
        return True

    def hold_expired(self, as_of: date) -> bool:
        """Whether a downgrade may happen on `as_of`: the tier is held through `hold_until`."""
        return self.hold_until is None or self.hold_until < as_of

    def take_changes(self) -> list[TierChange]:
        """History lines to append on save (and forget)."""
        changes, self._changes = self._changes, []
        return changes

    def take_events(self) -> list[MembershipTierChanged]:
        events, self._events = self._events, []
        return events

    def _move(self, to_code: str, reason: TierChangeReason, now: datetime) -> None:
        from_code = self.tier_code
        self.tier_code = to_code
        self.tier_since = now
        self._record(from_code, to_code, reason, now)

    def _record(
        self, from_code: str | None, to_code: str, reason: TierChangeReason, at: datetime
    ) -> None:
        self._changes.append(
            TierChange(
                customer_id=self.customer_id,
                from_code=from_code,
                to_code=to_code,
                reason=reason,
                at=at,
            )
        )
        self._events.append(
            MembershipTierChanged(
                customer_id=self.customer_id,
                from_code=from_code,
                to_code=to_code,
                reason=reason.value,
            )
        )


def _hold_until(ladder: TierLadder, tier: Tier, now: datetime) -> date | None:
    # The lowest tier needs no qualification, so there is nothing to hold.
    if tier.rank == ladder.lowest.rank:
        return None
    return add_months_to_date(now.date(), tier.hold_months)
