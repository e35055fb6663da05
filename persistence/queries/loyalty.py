"""Read side of loyalty: tiers, member status, ledger and tier history pages, in batches.

A page of customers with their membership and points costs a fixed number of
statements: tiers (1), memberships with their qualifying values (1), balance rows with
the lots expiring soon (1), and one per page of transactions or of tier history. The
member status read here is the one `domain.loyalty.membership_services.get_member_status` assembles.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.loyalty.entries import birthday_key
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.status import ExpiringPoints, TierProgress, progress_to
from domain.loyalty.tiers import QualificationMetric, Tier, TierLadder, default_tiers
from persistence.loyalty_sql import qualifying_subqueries, uuid_text
from persistence.queries.paging import Page, PageRequest, count_by_parent, fetch_pages_by_parent
from persistence.tables.customers import customers
from persistence.tables.loyalty import (
    memberships,
    points_accounts,
    points_allocations,
    points_entries,
    points_lots,
    tier_changes,
    tiers,
)


def tier_from_row(row: Any) -> Tier:
    return Tier(
        id=row.id,
        code=row.code,
        name=row.name,
        rank=row.rank,
        metric=QualificationMetric(row.metric),
        threshold=row.threshold,
        multiplier=Decimal(row.multiplier).normalize(),
        benefits=tuple(row.benefits),
        hold_months=row.hold_months,
    )


async def tiers_all(conn: AsyncConnection) -> list[Tier]:
    """Every tier, by rank."""
    rows = (await conn.execute(select(tiers).order_by(tiers.c.rank))).all()
    return [tier_from_row(row) for row in rows]


async def tiers_by_id(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, Tier]:
    rows = (await conn.execute(select(tiers).where(tiers.c.id.in_(ids)))).all()
    return {row.id: tier_from_row(row) for row in rows}


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class MembershipRow:
    """A customer's membership row (None fields when not stored yet) and, per metric,
    the qualifying value and the time of the oldest activity counted in the window."""

    customer_id: UUID
    tier_code: str | None
    tier_since: datetime | None
    hold_until: date | None
    qualifying: dict[QualificationMetric, tuple[int, datetime | None]]


async def memberships_by_customer(
    conn: AsyncConnection,
    ids: Sequence[UUID],
    metrics: Sequence[QualificationMetric],
    since: datetime,
    until: datetime,
) -> dict[UUID, MembershipRow]:
    """Memberships of existing customers, with their qualifying values, in one statement."""
    columns = []
    for i, metric in enumerate(metrics):
        value, earliest = qualifying_subqueries(metric, customers.c.id, since, until)
        columns += [value.label(f"v{i}"), earliest.label(f"e{i}")]
    stmt = (
        select(
            customers.c.id,
            memberships.c.tier_code,
            memberships.c.tier_since,
            memberships.c.hold_until,
            *columns,
        )
        .select_from(customers.outerjoin(memberships, memberships.c.customer_id == customers.c.id))
        .where(customers.c.id.in_(ids))
    )
    rows = (await conn.execute(stmt)).all()
    found: dict[UUID, MembershipRow] = {}
    for row in rows:
        m = row._mapping
        found[row.id] = MembershipRow(
            customer_id=row.id,
            tier_code=row.tier_code,
            tier_since=row.tier_since,
            hold_until=row.hold_until,
            qualifying={
                metric: (max(0, int(m[f"v{i}"] or 0)), _utc(m[f"e{i}"]))
                for i, metric in enumerate(metrics)
            },
        )
    return found


@dataclass(frozen=True, slots=True)
class PointsRow:
    """A balance row and the open lots expiring by a horizon: (expires_at, remaining)."""

    customer_id: UUID
    balance: int
    lifetime_earned: int
    lots: tuple[tuple[datetime, int], ...]


async def points_by_customer(
    conn: AsyncConnection, ids: Sequence[UUID], horizon: datetime
) -> dict[UUID, PointsRow]:
    """Balance rows with their open lots expiring by `horizon` (including those already
    due but not yet swept by the expiry), in one statement."""
    lots = points_lots
    stmt = (
        select(
            points_accounts.c.customer_id,
            points_accounts.c.balance,
            points_accounts.c.lifetime_earned,
            lots.c.expires_at,
            lots.c.remaining,
        )
        .select_from(
            points_accounts.outerjoin(
                lots,
                and_(
                    lots.c.customer_id == points_accounts.c.customer_id,
                    lots.c.remaining > 0,
                    lots.c.expires_at <= horizon,
                ),
            )
        )
        .where(points_accounts.c.customer_id.in_(ids))
    )
    grouped: dict[UUID, list[Any]] = defaultdict(list)
    for row in (await conn.execute(stmt)).all():
        grouped[row.customer_id].append(row)
    return {
        customer_id: PointsRow(
            customer_id=customer_id,
            balance=rows[0].balance,
            lifetime_earned=rows[0].lifetime_earned,
            lots=tuple(
                (_utc(r.expires_at), r.remaining)  # type: ignore[misc]
                for r in rows
                if r.expires_at is not None
            ),
        )
        for customer_id, rows in grouped.items()
    }


def transactions_statement() -> tuple[Select[Any], list[Any]]:
    """Ledger entries with their keyset keys (newest first when descending)."""
    return select(points_entries), [points_entries.c.created_at, points_entries.c.id]


async def transaction_pages_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID], page: PageRequest
) -> dict[UUID, Page[Any]]:
    stmt, keys = transactions_statement()
    return await fetch_pages_by_parent(
        conn, stmt, points_entries.c.customer_id, customer_ids, keys, page, descending=True
    )


async def transaction_counts_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID]
) -> dict[UUID, int]:
    stmt, _ = transactions_statement()
    return await count_by_parent(conn, stmt, points_entries.c.customer_id, customer_ids)


def tier_history_statement() -> tuple[Select[Any], list[Any]]:
    """Tier changes with their keyset keys (newest first when descending)."""
    return select(tier_changes), [tier_changes.c.at, tier_changes.c.id]


async def tier_history_pages_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID], page: PageRequest
) -> dict[UUID, Page[Any]]:
    """A page of each customer's tier history, newest change first, in one statement."""
    stmt, keys = tier_history_statement()
    return await fetch_pages_by_parent(
        conn, stmt, tier_changes.c.customer_id, customer_ids, keys, page, descending=True
    )


async def tier_history_counts_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID]
) -> dict[UUID, int]:
    stmt, _ = tier_history_statement()
    return await count_by_parent(conn, stmt, tier_changes.c.customer_id, customer_ids)


async def entries_by_id(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, Any]:
    rows = (await conn.execute(select(points_entries).where(points_entries.c.id.in_(ids)))).all()
    return {row.id: row for row in rows}


@dataclass(frozen=True, slots=True)
class LotUseView:
    """What an entry took from (or put into) one lot."""

    lot_id: UUID
    points: int
    earned_at: datetime
    expires_at: datetime


async def lot_uses_by_entry(
    conn: AsyncConnection, entry_ids: Sequence[UUID]
) -> dict[UUID, list[LotUseView]]:
    """Per entry, the lots it touched: the lot an earning entry created (its points), or
    what a consuming entry took from each lot, oldest lot first. Two statements."""
    found: dict[UUID, list[LotUseView]] = defaultdict(list)
    # Through the entry's lot_id (the primary key of the lot), not a scan of lots.
    created = (
        select(points_lots)
        .join(points_entries, points_entries.c.lot_id == points_lots.c.id)
        .where(points_entries.c.id.in_(entry_ids))
    )
    for row in (await conn.execute(created)).all():
        found[row.entry_id].append(
            LotUseView(
                lot_id=row.id,
                points=row.points,
                earned_at=row.earned_at,
                expires_at=row.expires_at,
            )
        )
    taken = (
        select(
            points_allocations.c.entry_id,
            points_allocations.c.lot_id,
            points_allocations.c.points,
            points_lots.c.earned_at,
            points_lots.c.expires_at,
        )
        .join(points_lots, points_lots.c.id == points_allocations.c.lot_id)
        .where(points_allocations.c.entry_id.in_(entry_ids))
        .order_by(points_lots.c.earned_at, points_lots.c.id)
    )
    for row in (await conn.execute(taken)).all():
        found[row.entry_id].append(
            LotUseView(
                lot_id=row.lot_id,
                points=row.points,
                earned_at=row.earned_at,
                expires_at=row.expires_at,
            )
        )
    return found


async def lots_by_id(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, Any]:
    rows = (await conn.execute(select(points_lots).where(points_lots.c.id.in_(ids)))).all()
    return {row.id: row for row in rows}


async def outstanding_points(conn: AsyncConnection, as_of: datetime) -> int:
    """Points outstanding at `as_of`: entries booked by then, less what remains of lots
    due by then that the expiry has not swept yet."""
    booked = (
        select(func.coalesce(func.sum(points_entries.c.points), 0))
        .where(points_entries.c.created_at <= as_of)
        .scalar_subquery()
    )
    unswept = (
        select(func.coalesce(func.sum(points_lots.c.remaining), 0))
        .where(points_lots.c.expires_at <= as_of, points_lots.c.remaining > 0)
        .scalar_subquery()
    )
    return int((await conn.execute(select(booked - unswept))).scalar_one())


def birthdays_statement(dialect: str, on: date, *, after: UUID | None, limit: int) -> Select[Any]:
    """Customers (not merged away) whose birthday is `on` (29 February counts as 28
    February in other years) and who have no birthday entry for that year yet."""
    month_day = on.strftime("%m-%d")
    days = [month_day]
    if month_day == "02-28" and not calendar.isleap(on.year):
        days.append("02-29")
    if dialect == "postgresql":
        birthday = func.to_char(customers.c.birthday, "MM-DD")
    else:
        birthday = func.strftime("%m-%d", customers.c.birthday)
    marker = str(UUID(int=0))
    prefix, suffix = birthday_key(UUID(int=0), on.year).split(marker)
    key = literal(prefix).concat(uuid_text(dialect, customers.c.id)).concat(literal(suffix))
    stmt = select(customers.c.id).where(
        birthday.in_(days),
        customers.c.merged_into.is_(None),
        customers.c.erased_at.is_(None),
        ~exists().where(points_entries.c.idempotency_key == key),
    )
    if after is not None:
        stmt = stmt.where(customers.c.id > after)
    return stmt.order_by(customers.c.id).limit(limit)


# -- member status: what apps show ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class MembershipStatusView:
    """A member's tier, since when, how long it is held and the progress to the next."""

    customer_id: UUID
    tier: Tier
    tier_since: datetime
    hold_until: date | None
    next_tier: Tier | None
    progress: TierProgress | None
    """Measured in `next_tier.metric`; None at the top tier."""


@dataclass(frozen=True, slots=True)
class PointsStatusView:
    """A member's spendable balance, lifetime earned, and points expiring soon by date."""

    customer_id: UUID
    balance: int
    lifetime_earned: int
    expiring_soon: tuple[ExpiringPoints, ...]


def ladder_of(tiers_found: Sequence[Tier]) -> TierLadder:
    """The configured ladder; the defaults (seeded on first write) until there is one."""
    return TierLadder(tiers_found) if tiers_found else TierLadder(default_tiers())


async def membership_statuses(
    conn: AsyncConnection, ids: Sequence[UUID], program: LoyaltyProgram, now: datetime
) -> dict[UUID, MembershipStatusView]:
    """Memberships of existing customers with progress, in two statements."""
    ladder = ladder_of(await tiers_all(conn))
    window = timedelta(days=program.qualifying_window_days)
    metrics = sorted(ladder.metrics())
    rows = await memberships_by_customer(conn, ids, metrics, now - window, now)
    found: dict[UUID, MembershipStatusView] = {}
    for customer_id, row in rows.items():
        # A customer from before loyalty existed shows the lowest tier until stored.
        tier = ladder.get(row.tier_code) if row.tier_code else ladder.lowest
        next_tier = ladder.next_above(tier.code)
        progress = None
        if next_tier is not None:
            value, oldest = row.qualifying[next_tier.metric]
            progress = progress_to(next_tier, value, oldest, now, window)
        found[customer_id] = MembershipStatusView(
            customer_id=customer_id,
            tier=tier,
            tier_since=row.tier_since or now,
            hold_until=row.hold_until,
            next_tier=next_tier,
            progress=progress,
        )
    return found


async def points_statuses(
    conn: AsyncConnection, ids: Sequence[UUID], program: LoyaltyProgram, now: datetime
) -> dict[UUID, PointsStatusView]:
    """Balances and points expiring soon, in one statement. Lots already due but not yet
    swept by the nightly expiry are left out of the balance, as the domain does."""
    horizon = now + timedelta(days=program.expiring_soon_days)
    found: dict[UUID, PointsStatusView] = {}
    for customer_id, row in (await points_by_customer(conn, ids, horizon)).items():
        due = sum(points for expires_at, points in row.lots if expires_at <= now)
        soon: dict[date, int] = defaultdict(int)
        for expires_at, points in row.lots:
            if expires_at > now:
                soon[expires_at.date()] += points
        found[customer_id] = PointsStatusView(
            customer_id=customer_id,
            balance=row.balance - due,
            lifetime_earned=row.lifetime_earned,
            expiring_soon=tuple(
                ExpiringPoints(amount=amount, date=day) for day, amount in sorted(soon.items())
            ),
        )
    return found
