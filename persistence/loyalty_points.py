"""The points repository: balance rows, lots, and the append-only ledger.

Every change happens with the balance row locked (`get_for_update`), so concurrent
redemptions of one balance queue there; `save` checks the row's version as a second
guard. Expiry, birthdays and merges are set-based: a fixed number of statements per
chunk of accounts, whatever the number of lots.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, bindparam, func, insert, literal, null, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.loyalty.entries import expiry_key
from domain.loyalty.errors import StaleAccount
from domain.loyalty.ledger import (
    Allocation,
    EntryKind,
    LedgerEntry,
    Lot,
    PointsAccount,
    Source,
    SourceKind,
)
from domain.loyalty.repository import EntryTotals, ExpiredBalance
from persistence.loyalty_sql import earned_points, uuid_text
from persistence.queries.loyalty import birthdays_statement, outstanding_points
from persistence.tables.loyalty import (
    points_accounts,
    points_allocations,
    points_entries,
    points_lots,
)

# Ids per IN list: well inside SQLite's bound-parameter limit.
CHUNK = 500


def _chunks(ids: Sequence[UUID]) -> list[list[UUID]]:
    return [list(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)]


def _lot(row: Any) -> Lot:
    return Lot(
        id=row.id,
        customer_id=row.customer_id,
        entry_id=row.entry_id,
        points=row.points,
        remaining=row.remaining,
        earned_at=row.earned_at,
        expires_at=row.expires_at,
    )


def entry_from_row(row: Any, allocations: Sequence[Allocation] = ()) -> LedgerEntry:
    source = (
        Source(SourceKind(row.source_kind), row.source_id) if row.source_kind is not None else None
    )
    return LedgerEntry(
        id=row.id,
        customer_id=row.customer_id,
        kind=EntryKind(row.kind),
        points=row.points,
        reason=row.reason,
        actor=row.actor,
        source=source,
        idempotency_key=row.idempotency_key,
        fingerprint=row.fingerprint,
        created_at=row.created_at,
        balance_after=row.balance_after,
        allocations=tuple(allocations),
        shortfall=row.shortfall,
        lot_id=row.lot_id,
    )


def _entry_values(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "customer_id": entry.customer_id,
        "kind": entry.kind.value,
        "points": entry.points,
        "reason": entry.reason,
        "actor": entry.actor,
        "source_kind": entry.source.kind.value if entry.source else None,
        "source_id": entry.source.id if entry.source else None,
        "idempotency_key": entry.idempotency_key,
        "fingerprint": entry.fingerprint,
        "created_at": entry.created_at,
        "balance_after": entry.balance_after,
        "shortfall": entry.shortfall,
        "lot_id": entry.lot_id,
    }


def _lot_values(lot: Lot) -> dict[str, Any]:
    return {
        "id": lot.id,
        "customer_id": lot.customer_id,
        "entry_id": lot.entry_id,
        "points": lot.points,
        "remaining": lot.remaining,
        "earned_at": lot.earned_at,
        "expires_at": lot.expires_at,
    }


_UPDATE_LOT = (
    update(points_lots)
    .where(points_lots.c.id == bindparam("lot_id"))
    .values(remaining=bindparam("new_remaining"), customer_id=bindparam("new_customer"))
)


class SqlAlchemyPointsAccountRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    @property
    def _dialect(self) -> str:
        return self._conn.dialect.name

    async def get(self, customer_id: UUID) -> PointsAccount | None:
        stmt = select(points_accounts).where(points_accounts.c.customer_id == customer_id)
        return await self._load(stmt, customer_id)

    async def get_for_update(self, customer_id: UUID) -> PointsAccount | None:
        stmt = (
            select(points_accounts)
            .where(points_accounts.c.customer_id == customer_id)
            .with_for_update()
        )
        return await self._load(stmt, customer_id)

    async def _load(self, stmt: Any, customer_id: UUID) -> PointsAccount | None:
        row = (await self._conn.execute(stmt)).first()
        if row is None:
            return None
        lots = (
            await self._conn.execute(
                select(points_lots).where(
                    points_lots.c.customer_id == customer_id, points_lots.c.remaining > 0
                )
            )
        ).all()
        return PointsAccount(
            customer_id=customer_id,
            balance=row.balance,
            lifetime_earned=row.lifetime_earned,
            version=row.version,
            lots=[_lot(lot) for lot in lots],
        )

    async def add(self, account: PointsAccount) -> None:
        await self._conn.execute(
            insert(points_accounts).values(
                customer_id=account.customer_id,
                balance=0,
                lifetime_earned=0,
                version=account.version,
            )
        )
        await self.save(account)

    async def save(self, account: PointsAccount) -> None:
        changes = account.take_changes()
        if changes.entries:
            await self._conn.execute(
                insert(points_entries), [_entry_values(e) for e in changes.entries]
            )
        if changes.new_lots:
            await self._conn.execute(
                insert(points_lots), [_lot_values(x) for x in changes.new_lots]
            )
        allocations = [
            {"entry_id": entry.id, "lot_id": a.lot_id, "points": a.points}
            for entry in changes.entries
            for a in entry.allocations
        ]
        if allocations:
            await self._conn.execute(insert(points_allocations), allocations)
        if changes.changed_lots:
            await self._conn.execute(
                _UPDATE_LOT,
                [
                    {"lot_id": x.id, "new_remaining": x.remaining, "new_customer": x.customer_id}
                    for x in changes.changed_lots
                ],
            )
        result = await self._conn.execute(
            update(points_accounts)
            .where(
                points_accounts.c.customer_id == account.customer_id,
                points_accounts.c.version == account.version,
            )
            .values(
                balance=account.balance,
                lifetime_earned=account.lifetime_earned,
                version=points_accounts.c.version + 1,
            )
        )
        if result.rowcount != 1:
            raise StaleAccount("the points account changed meanwhile; retry")
        account.version += 1

    async def _allocations(self, entry_ids: Sequence[UUID]) -> dict[UUID, list[Allocation]]:
        found: dict[UUID, list[Allocation]] = {}
        for chunk in _chunks(entry_ids):
            rows = (
                await self._conn.execute(
                    select(
                        points_allocations.c.entry_id,
                        points_allocations.c.lot_id,
                        points_allocations.c.points,
                    )
                    .join(points_lots, points_lots.c.id == points_allocations.c.lot_id)
                    .where(points_allocations.c.entry_id.in_(chunk))
                    # Oldest lot first, as the aggregate consumed them.
                    .order_by(points_lots.c.earned_at, points_lots.c.id)
                )
            ).all()
            for row in rows:
                found.setdefault(row.entry_id, []).append(Allocation(row.lot_id, row.points))
        return found

    async def entry_by_key(self, idempotency_key: str) -> LedgerEntry | None:
        stmt = select(points_entries).where(points_entries.c.idempotency_key == idempotency_key)
        row = (await self._conn.execute(stmt)).first()
        if row is None:
            return None
        allocations = await self._allocations([row.id])
        return entry_from_row(row, allocations.get(row.id, ()))

    async def entries_for_source(self, source: Source) -> Sequence[LedgerEntry]:
        stmt = (
            select(points_entries)
            .where(
                points_entries.c.source_kind == source.kind.value,
                points_entries.c.source_id == source.id,
            )
            .order_by(points_entries.c.created_at, points_entries.c.id)
        )
        rows = (await self._conn.execute(stmt)).all()
        allocations = await self._allocations([row.id for row in rows])
        return [entry_from_row(row, allocations.get(row.id, ())) for row in rows]

    async def entries_of(self, customer_id: UUID) -> Sequence[LedgerEntry]:
        entries = points_entries
        rows = (
            await self._conn.execute(
                select(entries)
                .where(entries.c.customer_id == customer_id)
                .order_by(entries.c.created_at, entries.c.id)
            )
        ).all()
        # The allocations of all those entries in one statement, by a join on the holder.
        allocated = await self._conn.execute(
            select(points_allocations)
            .join(entries, entries.c.id == points_allocations.c.entry_id)
            .join(points_lots, points_lots.c.id == points_allocations.c.lot_id)
            .where(entries.c.customer_id == customer_id)
            .order_by(points_lots.c.earned_at, points_lots.c.id)
        )
        found: dict[UUID, list[Allocation]] = {}
        for row in allocated:
            found.setdefault(row.entry_id, []).append(Allocation(row.lot_id, row.points))
        return [entry_from_row(row, found.get(row.id, ())) for row in rows]

    async def all_lots_of(self, customer_id: UUID) -> Sequence[Lot]:
        stmt = (
            select(points_lots)
            .where(points_lots.c.customer_id == customer_id)
            .order_by(points_lots.c.earned_at, points_lots.c.id)
        )
        return [_lot(row) for row in await self._conn.execute(stmt)]

    async def expire_lots(self, as_of: datetime) -> Sequence[ExpiredBalance]:
        lots = points_lots
        due = and_(lots.c.expires_at <= as_of, lots.c.remaining > 0)
        customer_ids = (
            (
                await self._conn.execute(
                    select(lots.c.customer_id).where(due).distinct().order_by(lots.c.customer_id)
                )
            )
            .scalars()
            .all()
        )
        touched: list[ExpiredBalance] = []
        for chunk in _chunks(customer_ids):
            touched.extend(await self._expire_chunk(chunk, as_of))
        return touched

    async def _expire_chunk(self, chunk: list[UUID], as_of: datetime) -> list[ExpiredBalance]:
        """Expire the due lots of up to CHUNK accounts in a fixed number of statements."""
        lots, accounts = points_lots, points_accounts
        # Lock the balance rows first (in id order, as every locker does), then read the
        # lots: a concurrent redemption either finished before or waits until we commit.
        await self._conn.execute(
            select(accounts.c.customer_id)
            .where(accounts.c.customer_id.in_(chunk))
            .order_by(accounts.c.customer_id)
            .with_for_update()
        )
        due = and_(lots.c.customer_id.in_(chunk), lots.c.expires_at <= as_of, lots.c.remaining > 0)
        totals = (
            await self._conn.execute(
                select(lots.c.customer_id, func.sum(lots.c.remaining), accounts.c.balance)
                .join(accounts, accounts.c.customer_id == lots.c.customer_id)
                .where(due)
                .group_by(lots.c.customer_id, accounts.c.balance)
                .order_by(lots.c.customer_id)
            )
        ).all()
        if not totals:
            return []
        # One EXPIRE entry per lot, as PointsAccount.expire_due writes them: dated at the
        # lot's expiry, in (expires_at, earned_at, id) order, balance_after from the
        # running sum. The entry takes the lot's id (a lot expires at most once).
        running = func.sum(lots.c.remaining).over(
            partition_by=lots.c.customer_id,
            order_by=(lots.c.expires_at, lots.c.earned_at, lots.c.id),
            rows=(None, 0),
        )
        expiring = (
            select(
                lots.c.id,
                lots.c.customer_id,
                lots.c.remaining,
                lots.c.expires_at,
                (accounts.c.balance - running).label("balance_after"),
            )
            .join(accounts, accounts.c.customer_id == lots.c.customer_id)
            .where(due)
            .subquery()
        )
        key_prefix = expiry_key(UUID(int=0)).removesuffix(str(UUID(int=0)))
        await self._conn.execute(
            insert(points_entries).from_select(
                [
                    "id",
                    "customer_id",
                    "kind",
                    "points",
                    "reason",
                    "actor",
                    "source_kind",
                    "source_id",
                    "idempotency_key",
                    "fingerprint",
                    "created_at",
                    "balance_after",
                    "shortfall",
                    "lot_id",
                ],
                select(
                    expiring.c.id,
                    expiring.c.customer_id,
                    literal(EntryKind.EXPIRE.value),
                    -expiring.c.remaining,
                    literal("points expired"),
                    literal("system"),
                    null(),
                    null(),
                    literal(key_prefix).concat(uuid_text(self._dialect, expiring.c.id)),
                    literal(""),
                    expiring.c.expires_at,
                    expiring.c.balance_after,
                    literal(0),
                    null(),
                ),
            )
        )
        await self._conn.execute(
            insert(points_allocations).from_select(
                ["entry_id", "lot_id", "points"],
                select(
                    lots.c.id.label("entry_id"), lots.c.id.label("lot_id"), lots.c.remaining
                ).where(due),
            )
        )
        expired_sum = (
            select(func.sum(lots.c.remaining))
            .where(due, lots.c.customer_id == accounts.c.customer_id)
            .scalar_subquery()
        )
        touched_ids = [row[0] for row in totals]
        await self._conn.execute(
            update(accounts)
            .where(accounts.c.customer_id.in_(touched_ids))
            .values(balance=accounts.c.balance - expired_sum, version=accounts.c.version + 1)
        )
        await self._conn.execute(update(lots).where(due).values(remaining=0))
        return [
            ExpiredBalance(customer_id=cid, expired=int(expired), balance=int(balance - expired))
            for cid, expired, balance in totals
        ]

    async def birthdays(self, on: date, *, after: UUID | None, limit: int) -> Sequence[UUID]:
        stmt = birthdays_statement(self._dialect, on, after=after, limit=limit)
        return list((await self._conn.execute(stmt)).scalars().all())

    async def outstanding_points(self, as_of: datetime) -> int:
        return await outstanding_points(self._conn, as_of)

    async def move_entries(self, from_customer: UUID, to_customer: UUID) -> Sequence[UUID]:
        ids = (
            (
                await self._conn.execute(
                    select(points_entries.c.id)
                    .where(points_entries.c.customer_id == from_customer)
                    .order_by(points_entries.c.created_at, points_entries.c.id)
                )
            )
            .scalars()
            .all()
        )
        if ids:
            await self._conn.execute(
                update(points_entries)
                .where(points_entries.c.customer_id == from_customer)
                .values(customer_id=to_customer)
            )
        return list(ids)

    async def move_entries_back(
        self, entry_ids: Sequence[UUID], from_customer: UUID, to_customer: UUID
    ) -> EntryTotals:
        points = earned = 0
        for chunk in _chunks(list(entry_ids)):
            held = and_(
                points_entries.c.id.in_(chunk), points_entries.c.customer_id == from_customer
            )
            row = (
                await self._conn.execute(
                    select(
                        func.coalesce(func.sum(points_entries.c.points), 0),
                        func.coalesce(func.sum(earned_points()), 0),
                    ).where(held)
                )
            ).one()
            points += int(row[0])
            earned += int(row[1])
            await self._conn.execute(
                update(points_entries).where(held).values(customer_id=to_customer)
            )
        return EntryTotals(points=points, earned=max(0, earned))
