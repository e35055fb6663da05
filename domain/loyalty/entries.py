"""Value objects of the points ledger: entries, lots, allocations, sources, keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.ids import new_id
from domain.loyalty.errors import InvalidPointsAmount

MAX_POINTS = 1_000_000_000
"""Largest amount one entry may move; keeps balances far inside 64-bit columns."""


class EntryKind(StrEnum):
    """What a ledger entry did."""

    EARN = "EARN"
    REDEEM = "REDEEM"
    EXPIRE = "EXPIRE"
    ADJUST = "ADJUST"
    REVERSE = "REVERSE"


class SourceKind(StrEnum):
    """What caused an entry."""

    ORDER = "ORDER"
    TICKET = "TICKET"
    CAMPAIGN = "CAMPAIGN"
    RULE = "RULE"
    MANUAL = "MANUAL"


@dataclass(frozen=True, slots=True)
class Source:
    """The cause of an entry: a kind and the id of the thing (order id, rule name, ...)."""

    kind: SourceKind
    id: str


@dataclass(frozen=True, slots=True)
class Allocation:
    """`points` (> 0) taken from lot `lot_id` by a consuming entry."""

    lot_id: UUID
    points: int


@dataclass(slots=True, kw_only=True)
class Lot:
    """Points from one earning entry; consumed oldest first, expiring at `expires_at`."""

    id: UUID = field(default_factory=new_id)
    customer_id: UUID
    entry_id: UUID
    points: int
    remaining: int
    earned_at: datetime
    expires_at: datetime

    def fifo_key(self) -> tuple[datetime, UUID]:
        return (self.earned_at, self.id)


@dataclass(frozen=True, kw_only=True)
class LedgerEntry:
    """One immutable line of the ledger.

    `points` is signed (EARN and positive ADJUST > 0; REDEEM, EXPIRE, negative ADJUST and
    REVERSE < 0; a REVERSE that found nothing to take is 0). `shortfall` is what a REVERSE
    could not take because the balance was short. `lot_id` names the lot an earning entry
    created; `allocations` the lots a consuming entry took from. `fingerprint` identifies
    the request behind `idempotency_key` (unique over the whole ledger).
    """

    id: UUID = field(default_factory=new_id)
    customer_id: UUID
    kind: EntryKind
    points: int
    reason: str
    actor: str
    source: Source | None
    idempotency_key: str
    fingerprint: str
    created_at: datetime
    balance_after: int
    allocations: tuple[Allocation, ...] = ()
    shortfall: int = 0
    lot_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class AccountChanges:
    """What `PointsAccountRepository.save` must write: entries to append, lots to upsert."""

    entries: tuple[LedgerEntry, ...]
    new_lots: tuple[Lot, ...]
    changed_lots: tuple[Lot, ...]


@dataclass(frozen=True, kw_only=True)
class Posting:
    """The request common to all entries: who, why, from what, under which key."""

    reason: str
    actor: str
    source: Source | None
    idempotency_key: str
    fingerprint: str = ""


def expiry_key(lot_id: UUID) -> str:
    """The idempotency key of the EXPIRE entry of a lot (same in SQL and in Python)."""
    return f"expire:{lot_id}"


def birthday_key(customer_id: UUID, year: int) -> str:
    """The idempotency key of a customer's birthday bonus for `year` (once a year)."""
    return f"birthday:{customer_id}:{year}"


def check_amount(points: int, name: str = "points") -> None:
    if points <= 0 or points > MAX_POINTS:
        raise InvalidPointsAmount(f"{name} must be between 1 and {MAX_POINTS}", field=(name,))
