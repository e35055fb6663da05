"""Facts of the loyalty context; published to `memberStatusChanged` subscribers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class MembershipTierChanged(DomainEvent):
    """A customer's tier changed; `from_code` is None when the membership began."""

    name: ClassVar[str] = "loyalty.tier_changed"
    customer_id: UUID
    from_code: str | None
    to_code: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class PointsBalanceChanged(DomainEvent):
    """A ledger entry changed a customer's points balance by `delta` (may be 0 on a shortfall)."""

    name: ClassVar[str] = "loyalty.points_balance_changed"
    customer_id: UUID
    balance: int
    delta: int
    entry_kind: str
