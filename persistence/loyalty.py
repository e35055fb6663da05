"""Repositories of the loyalty context: tiers, memberships with their history, points.

Locks: `get_for_update` takes the row lock of the membership or the balance row
(SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE).
The points repository (ledger, lots, balance rows) is in `persistence.loyalty_points`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.ids import new_id
from domain.loyalty.membership import Membership, TierChange, TierChangeReason
from domain.loyalty.repository import ReviewCandidate
from domain.loyalty.tiers import QualificationMetric, Tier
from persistence.loyalty_points import SqlAlchemyPointsAccountRepository
from persistence.loyalty_sql import qualifying_subqueries
from persistence.queries.loyalty import tier_from_row
from persistence.tables.customers import customers
from persistence.tables.loyalty import memberships, tier_changes, tiers
from persistence.tables.tickets import tickets

__all__ = [
    "RepeatableUnitOfWork",
    "SqlAlchemyMembershipRepository",
    "SqlAlchemyPointsAccountRepository",
    "SqlAlchemyTicketOwners",
    "SqlAlchemyTierRepository",
]

# A merge chain longer than this is a data error (as in persistence.tickets).
_MAX_MERGE_HOPS = 16


def _tier_values(tier: Tier) -> dict[str, Any]:
    return {
        "code": tier.code,
        "name": tier.name,
        "rank": tier.rank,
        "metric": tier.metric.value,
        "threshold": tier.threshold,
        "multiplier": tier.multiplier,
        "benefits": list(tier.benefits),
        "hold_months": tier.hold_months,
    }


class SqlAlchemyTierRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def list(self) -> Sequence[Tier]:
        rows = (await self._conn.execute(select(tiers).order_by(tiers.c.rank))).all()
        return [tier_from_row(row) for row in rows]

    async def add(self, tier: Tier) -> None:
        await self._conn.execute(insert(tiers).values(id=tier.id, **_tier_values(tier)))

    async def save(self, tier: Tier) -> None:
        await self._conn.execute(
            update(tiers).where(tiers.c.id == tier.id).values(**_tier_values(tier))
        )


def _membership(row: Any) -> Membership:
    return Membership(
        customer_id=row.customer_id,
        tier_code=row.tier_code,
        tier_since=row.tier_since,
        hold_until=row.hold_until,
    )


class SqlAlchemyMembershipRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    @property
    def _dialect(self) -> str:
        return self._conn.dialect.name

    async def get(self, customer_id: UUID) -> Membership | None:
        stmt = select(memberships).where(memberships.c.customer_id == customer_id)
        row = (await self._conn.execute(stmt)).first()
        return _membership(row) if row else None

    async def get_for_update(self, customer_id: UUID) -> Membership | None:
        stmt = select(memberships).where(memberships.c.customer_id == customer_id).with_for_update()
        row = (await self._conn.execute(stmt)).first()
        return _membership(row) if row else None

    async def add(self, membership: Membership) -> None:
        await self._conn.execute(
            insert(memberships).values(
                customer_id=membership.customer_id,
                tier_code=membership.tier_code,
                tier_since=membership.tier_since,
                hold_until=membership.hold_until,
                version=1,
            )
        )
        await self._append_history(membership)

    async def save(self, membership: Membership) -> None:
        await self._conn.execute(
            update(memberships)
            .where(memberships.c.customer_id == membership.customer_id)
            .values(
                tier_code=membership.tier_code,
                tier_since=membership.tier_since,
                hold_until=membership.hold_until,
                version=memberships.c.version + 1,
            )
        )
        await self._append_history(membership)

    async def _append_history(self, membership: Membership) -> None:
        changes = membership.take_changes()
        if not changes:
            return
        await self._conn.execute(
            insert(tier_changes),
            [
                {
                    "id": new_id(),
                    "customer_id": change.customer_id,
                    "from_code": change.from_code,
                    "to_code": change.to_code,
                    "reason": change.reason.value,
                    "at": change.at,
                }
                for change in changes
            ],
        )

    async def tier_history(self, customer_id: UUID) -> Sequence[TierChange]:
        stmt = (
            select(tier_changes)
            .where(tier_changes.c.customer_id == customer_id)
            .order_by(tier_changes.c.at, tier_changes.c.id)
        )
        return [
            TierChange(
                customer_id=row.customer_id,
                from_code=row.from_code,
                to_code=row.to_code,
                reason=TierChangeReason(row.reason),
                at=row.at,
            )
            for row in await self._conn.execute(stmt)
        ]

    async def qualifying_value(
        self, customer_id: UUID, metric: QualificationMetric, since: datetime, until: datetime
    ) -> int:
        value, _ = qualifying_subqueries(metric, customer_id, since, until)
        found = (await self._conn.execute(select(value))).scalar_one()
        return max(0, int(found or 0))

    async def earliest_qualifying_at(
        self, customer_id: UUID, metric: QualificationMetric, since: datetime, until: datetime
    ) -> datetime | None:
        _, earliest = qualifying_subqueries(metric, customer_id, since, until)
        found: datetime | None = (await self._conn.execute(select(earliest))).scalar_one()
        return found

    async def hold_expired(
        self,
        as_of: date,
        since: datetime,
        until: datetime,
        *,
        after: UUID | None,
        limit: int,
    ) -> Sequence[ReviewCandidate]:
        metrics = list(QualificationMetric)
        values = [
            qualifying_subqueries(metric, memberships.c.customer_id, since, until)[0].label(
                f"value_{i}"
            )
            for i, metric in enumerate(metrics)
        ]
        stmt = select(memberships, *values).where(memberships.c.hold_until < as_of)
        if after is not None:
            stmt = stmt.where(memberships.c.customer_id > after)
        stmt = (
            stmt.order_by(memberships.c.customer_id)
            .limit(limit)
            # A second evaluation running at once takes the next rows instead of waiting.
            .with_for_update(skip_locked=True, of=memberships)
        )
        rows = (await self._conn.execute(stmt)).all()
        return [
            ReviewCandidate(
                membership=_membership(row),
                values={
                    metric: max(0, int(getattr(row, f"value_{i}") or 0))
                    for i, metric in enumerate(metrics)
                },
            )
            for row in rows
        ]


class SqlAlchemyTicketOwners:
    """Implements `TicketOwners`: a ticket's customer, following merges to the winner.

    A merge moves the loser's tickets to the winner (domain.tickets.merge), so the hops
    only matter for a ticket read while its customer is merged away without it.
    """

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def customer_of(self, ticket_id: UUID) -> UUID | None:
        stmt = (
            select(customers.c.id, customers.c.merged_into)
            .select_from(tickets.join(customers, customers.c.id == tickets.c.customer_id))
            .where(tickets.c.id == ticket_id)
        )
        row = (await self._conn.execute(stmt)).first()
        for _ in range(_MAX_MERGE_HOPS):
            if row is None:
                return None
            if row.merged_into is None:
                return UUID(str(row.id))
            hop = select(customers.c.id, customers.c.merged_into).where(
                customers.c.id == row.merged_into
            )
            row = (await self._conn.execute(hop)).first()
        return None


class RepeatableUnitOfWork:
    """A unit of work that may be entered many times, each time a fresh transaction.

    The nightly use cases (evaluation, birthdays) commit once per batch by entering
    their unit of work once per batch; a `SqlUnitOfWork` is entered only once, so jobs
    and the CLI hand them this wrapper around the factory instead.
    """

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._current: Any = None

    async def __aenter__(self) -> Self:
        if self._current is not None:
            raise RuntimeError("already inside a transaction")
        current = self._factory()
        await current.__aenter__()
        self._current = current
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        current, self._current = self._current, None
        if current is not None:
            await current.__aexit__(exc_type, exc, tb)

    def __getattr__(self, name: str) -> Any:
        current = self.__dict__.get("_current")
        if current is None:
            raise RuntimeError("unit of work used outside `async with`")
        return getattr(current, name)
