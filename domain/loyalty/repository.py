"""Ports of the loyalty context; persistence implements them with SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from domain.loyalty.ledger import LedgerEntry, Lot, PointsAccount, Source
from domain.loyalty.membership import Membership, TierChange
from domain.loyalty.tiers import QualificationMetric, Tier
from domain.ports import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class ReviewCandidate:
    """A membership whose hold has expired, with its qualifying values computed in SQL."""

    membership: Membership
    values: Mapping[QualificationMetric, int]


@dataclass(frozen=True, kw_only=True)
class ExpiredBalance:
    """One account touched by the set-based expiry: points expired and the new balance."""

    customer_id: UUID
    expired: int
    balance: int


@dataclass(frozen=True, kw_only=True)
class EntryTotals:
    """Sums over a set of entries: their points, and what they added to lifetime earned
    (EARN and positive ADJUST points, less REVERSE requests: points + shortfall)."""

    points: int
    earned: int


class TierRepository(Protocol):
    """The programme's tiers (a handful of rows)."""

    async def list(self) -> Sequence[Tier]:
        """Every tier, in any order."""
        ...

    async def add(self, tier: Tier) -> None:
        """Insert a new tier (unique code and unique rank enforced by the table too)."""
        ...

    async def save(self, tier: Tier) -> None:
        """Update a tier's fields, matched by id."""
        ...


class MembershipRepository(Protocol):
    """Memberships (one row per customer) and their append-only tier history."""

    async def get(self, customer_id: UUID) -> Membership | None:
        """The membership, or None; no lock."""
        ...

    async def get_for_update(self, customer_id: UUID) -> Membership | None:
        """The membership with its row locked (SELECT ... FOR UPDATE) until commit."""
        ...

    async def add(self, membership: Membership) -> None:
        """Insert a new membership and append `membership.take_changes()` to the history."""
        ...

    async def save(self, membership: Membership) -> None:
        """Update tier, tier_since, hold_until and append `membership.take_changes()`."""
        ...

    async def qualifying_value(
        self, customer_id: UUID, metric: QualificationMetric, since: datetime, until: datetime
    ) -> int:
        """The customer's value in (since, until]: NET_SPEND_365D is base amounts of orders
        that count as purchases placed in the window less their refunds; POINTS_EARNED_365D
        is EARN and positive ADJUST points created in the window less REVERSE requests
        (points + shortfall) in it. Reads this transaction's own writes."""
        ...

    async def earliest_qualifying_at(
        self, customer_id: UUID, metric: QualificationMetric, since: datetime, until: datetime
    ) -> datetime | None:
        """When the oldest activity counted by `qualifying_value` for the window happened."""
        ...

    async def hold_expired(
        self,
        as_of: date,
        since: datetime,
        until: datetime,
        *,
        after: UUID | None,
        limit: int,
    ) -> Sequence[ReviewCandidate]:
        """Set-based: up to `limit` memberships with hold_until < as_of and customer_id >
        `after` (ordered by customer_id), locked FOR UPDATE SKIP LOCKED, each with its
        qualifying values for every metric over (since, until] computed in the same query."""
        ...


class PointsAccountRepository(Protocol):
    """Balance rows, lots and the append-only ledger (entries and their allocations)."""

    async def get(self, customer_id: UUID) -> PointsAccount | None:
        """The balance row and the open lots (remaining > 0); no lock."""
        ...

    async def get_for_update(self, customer_id: UUID) -> PointsAccount | None:
        """As `get`, with the balance row locked (SELECT ... FOR UPDATE) until commit:
        concurrent redemptions of one balance queue here, so it is spent once."""
        ...

    async def add(self, account: PointsAccount) -> None:
        """Insert a new balance row (version 1), then write `account.take_changes()`."""
        ...

    async def save(self, account: PointsAccount) -> None:
        """Write `account.take_changes()`: append entries and allocations, insert new lots,
        update changed lots (remaining, customer_id); update the balance row's balance and
        lifetime_earned WHERE version = account.version, setting version + 1. Raise
        StaleAccount if no row matched."""
        ...

    async def entry_by_key(self, idempotency_key: str) -> LedgerEntry | None:
        """The entry appended under this key (keys are unique over the ledger), or None."""
        ...

    async def entries_for_source(self, source: Source) -> Sequence[LedgerEntry]:
        """Every entry with exactly this source (e.g. one order), whoever holds it now,
        in ledger order (created_at, id)."""
        ...

    async def expire_lots(self, as_of: datetime) -> Sequence[ExpiredBalance]:
        """Set-based expiry, same result as `PointsAccount.expire_due(as_of)` per account:
        for each lot with expires_at <= as_of and remaining > 0, append an EXPIRE entry of
        -remaining dated expires_at with key `expiry_key(lot.id)`, actor "system", reason
        "points expired", one allocation to the lot and balance_after from the running sum
        in (expires_at, earned_at, lot id) order; set remaining 0; lower each balance row
        and bump its version. Returns one row per account touched."""
        ...

    async def birthdays(self, on: date, *, after: UUID | None, limit: int) -> Sequence[UUID]:
        """Set-based: up to `limit` customer ids > `after` (ordered) whose birthday falls on
        `on` (29 February counts as 28 February in other years) and who have no entry
        with key `birthday_key(customer_id, on.year)`."""
        ...

    async def outstanding_points(self, as_of: datetime) -> int:
        """Points outstanding at `as_of`: the sum of entries created at or before it, less
        what remains of lots that expired by then but are not yet expired in the ledger."""
        ...

    async def move_entries(self, from_customer: UUID, to_customer: UUID) -> Sequence[UUID]:
        """Set-based: give every entry (with its allocations) of `from_customer` to
        `to_customer`; returns the ids moved."""
        ...

    async def move_entries_back(
        self, entry_ids: Sequence[UUID], from_customer: UUID, to_customer: UUID
    ) -> EntryTotals:
        """Set-based: give those of `entry_ids` that `from_customer` holds to `to_customer`;
        returns the totals of the entries moved."""
        ...


class TicketOwners(Protocol):
    """Who holds a support ticket, as loyalty needs it: a points change sourced from a
    ticket must credit that ticket's customer."""

    async def customer_of(self, ticket_id: UUID) -> UUID | None:
        """The customer holding the ticket (one merged away answers the customer it was
        merged into, as lookups of customers do), or None when there is no such ticket."""
        ...


class LoyaltyUnitOfWork(UnitOfWork, Protocol):
    """The unit of work of the loyalty use cases (plain attributes satisfy it)."""

    # Read-only in the protocol, so a fake's narrower repository types still conform.
    @property
    def tiers(self) -> TierRepository: ...

    @property
    def memberships(self) -> MembershipRepository: ...

    @property
    def points(self) -> PointsAccountRepository: ...

    @property
    def ticket_owners(self) -> TicketOwners: ...


class MembershipRecords(Protocol):
    """Reads one customer's membership and tier history (privacy exports)."""

    async def get(self, customer_id: UUID) -> Membership | None: ...

    async def tier_history(self, customer_id: UUID) -> Sequence[TierChange]:
        """Every tier change of the customer, oldest first."""
        ...


class PointsRecords(Protocol):
    """Reads one customer's points: balance, ledger and lots (privacy exports)."""

    async def get(self, customer_id: UUID) -> PointsAccount | None: ...

    async def entries_of(self, customer_id: UUID) -> Sequence[LedgerEntry]:
        """Every ledger entry the customer holds, with its allocations, in ledger order
        (created_at, id); a fixed number of statements however long the ledger."""
        ...

    async def all_lots_of(self, customer_id: UUID) -> Sequence[Lot]:
        """Every lot the customer holds, open or used up, oldest first."""
        ...


class LoyaltyExportUnitOfWork(UnitOfWork, Protocol):
    """What the loyalty exporter reads (the loyalty repositories implement it)."""

    @property
    def memberships(self) -> MembershipRecords: ...

    @property
    def points(self) -> PointsRecords: ...
