"""In-memory repositories of the loyalty context.

Repositories hand out copies and keep copies, so an aggregate changed but not saved
(a dry run, a refused request) leaves the stored state alone, as with a database.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from domain.bus import EventHandlers
from domain.loyalty.errors import StaleAccount
from domain.loyalty.ledger import EntryKind, LedgerEntry, Lot, PointsAccount, Source, birthday_key
from domain.loyalty.membership import Membership, TierChange
from domain.loyalty.repository import EntryTotals, ExpiredBalance, ReviewCandidate
from domain.loyalty.tiers import QualificationMetric, Tier
from tests.unit.fakes import FakeUnitOfWork


class FakeTierRepository:
    def __init__(self) -> None:
        self.rows: dict[UUID, Tier] = {}

    async def list(self) -> Sequence[Tier]:
        return list(self.rows.values())

    async def add(self, tier: Tier) -> None:
        # The table's unique indexes.
        assert all(t.code != tier.code and t.rank != tier.rank for t in self.rows.values())
        self.rows[tier.id] = tier

    async def save(self, tier: Tier) -> None:
        assert tier.id in self.rows
        self.rows[tier.id] = tier


@dataclass(frozen=True)
class Spend:
    customer_id: UUID
    at: datetime
    amount: int


def _earned(entry: LedgerEntry) -> int:
    if entry.kind is EntryKind.EARN or (
        entry.kind is EntryKind.ADJUST and entry.points > 0 and entry.lot_id is not None
    ):
        return entry.points
    if entry.kind is EntryKind.REVERSE:
        return -(-entry.points + entry.shortfall)
    return 0


class FakePointsAccountRepository:
    def __init__(self) -> None:
        self.rows: dict[UUID, tuple[int, int, int]] = {}  # balance, lifetime, version
        self.lots: dict[UUID, Lot] = {}
        self.entries: list[LedgerEntry] = []
        self.by_key: dict[str, LedgerEntry] = {}
        self.birthdays_of: dict[UUID, date] = {}
        self.locked: list[UUID] = []

    async def get(self, customer_id: UUID) -> PointsAccount | None:
        if customer_id not in self.rows:
            return None
        balance, lifetime, version = self.rows[customer_id]
        lots = [
            copy.copy(lot)
            for lot in self.lots.values()
            if lot.customer_id == customer_id and lot.remaining > 0
        ]
        return PointsAccount(
            customer_id=customer_id,
            balance=balance,
            lifetime_earned=lifetime,
            version=version,
            lots=lots,
        )

    async def get_for_update(self, customer_id: UUID) -> PointsAccount | None:
        self.locked.append(customer_id)
        return await self.get(customer_id)

    async def add(self, account: PointsAccount) -> None:
        assert account.customer_id not in self.rows
        self.rows[account.customer_id] = (0, 0, account.version)
        await self.save(account)

    async def save(self, account: PointsAccount) -> None:
        _, _, version = self.rows[account.customer_id]
        if version != account.version:
            raise StaleAccount("the account changed meanwhile")
        changes = account.take_changes()
        for entry in changes.entries:
            assert entry.idempotency_key not in self.by_key, "unique index on the key"
            self.by_key[entry.idempotency_key] = entry
            self.entries.append(entry)
        for lot in (*changes.new_lots, *changes.changed_lots):
            self.lots[lot.id] = copy.copy(lot)
        self.rows[account.customer_id] = (account.balance, account.lifetime_earned, version + 1)

    async def entry_by_key(self, idempotency_key: str) -> LedgerEntry | None:
        return self.by_key.get(idempotency_key)

    async def entries_for_source(self, source: Source) -> Sequence[LedgerEntry]:
        return [e for e in self.entries if e.source == source]

    async def expire_lots(self, as_of: datetime) -> Sequence[ExpiredBalance]:
        # The per-account domain method stands in for the set-based SQL.
        touched = []
        for customer_id in list(self.rows):
            account = await self.get(customer_id)
            assert account is not None
            expired = account.expire_due(as_of)
            if expired:
                account.take_events()
                await self.save(account)
                touched.append(
                    ExpiredBalance(
                        customer_id=customer_id,
                        expired=-sum(e.points for e in expired),
                        balance=account.balance,
                    )
                )
        return touched

    async def birthdays(self, on: date, *, after: UUID | None, limit: int) -> Sequence[UUID]:
        def matches(birthday: date) -> bool:
            if (birthday.month, birthday.day) == (2, 29) and not _leap(on.year):
                return (on.month, on.day) == (2, 28)
            return (birthday.month, birthday.day) == (on.month, on.day)

        ids = sorted(
            cid
            for cid, birthday in self.birthdays_of.items()
            if matches(birthday)
            and birthday_key(cid, on.year) not in self.by_key
            and (after is None or cid > after)
        )
        return ids[:limit]

    async def outstanding_points(self, as_of: datetime) -> int:
        booked = sum(e.points for e in self.entries if e.created_at <= as_of)
        due = sum(lot.remaining for lot in self.lots.values() if lot.expires_at <= as_of)
        return booked - due

    async def move_entries(self, from_customer: UUID, to_customer: UUID) -> Sequence[UUID]:
        moved = [e.id for e in self.entries if e.customer_id == from_customer]
        self._reassign(set(moved), to_customer)
        return moved

    async def move_entries_back(
        self, entry_ids: Sequence[UUID], from_customer: UUID, to_customer: UUID
    ) -> EntryTotals:
        ids = {
            e.id for e in self.entries if e.id in set(entry_ids) and e.customer_id == from_customer
        }
        moved = [e for e in self.entries if e.id in ids]
        self._reassign(ids, to_customer)
        return EntryTotals(
            points=sum(e.points for e in moved), earned=max(0, sum(_earned(e) for e in moved))
        )

    def _reassign(self, ids: set[UUID], to_customer: UUID) -> None:
        self.entries = [
            replace(e, customer_id=to_customer) if e.id in ids else e for e in self.entries
        ]
        self.by_key = {e.idempotency_key: e for e in self.entries}

    # -- for assertions ------------------------------------------------------------

    def ledger_of(self, customer_id: UUID) -> list[LedgerEntry]:
        return [e for e in self.entries if e.customer_id == customer_id]

    def lots_of(self, customer_id: UUID) -> list[Lot]:
        return sorted(
            (lot for lot in self.lots.values() if lot.customer_id == customer_id), key=Lot.fifo_key
        )

    def balance_of(self, customer_id: UUID) -> int:
        return self.rows[customer_id][0] if customer_id in self.rows else 0


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


class FakeMembershipRepository:
    def __init__(self, points: FakePointsAccountRepository) -> None:
        self.rows: dict[UUID, Membership] = {}
        self.history: list[TierChange] = []
        self.spend: list[Spend] = []
        self._points = points

    async def get(self, customer_id: UUID) -> Membership | None:
        found = self.rows.get(customer_id)
        return copy.deepcopy(found) if found else None

    async def get_for_update(self, customer_id: UUID) -> Membership | None:
        return await self.get(customer_id)

    async def add(self, membership: Membership) -> None:
        assert membership.customer_id not in self.rows
        await self.save(membership)

    async def save(self, membership: Membership) -> None:
        self.history.extend(membership.take_changes())
        stored = copy.deepcopy(membership)
        stored.take_events()
        self.rows[membership.customer_id] = stored

    def _activity(
        self, customer_id: UUID, metric: QualificationMetric, since: datetime, until: datetime
    ) -> list[tuple[datetime, int]]:
        if metric is QualificationMetric.NET_SPEND_365D:
            found = [(s.at, s.amount) for s in self.spend if s.customer_id == customer_id]
        else:
            found = [
                (e.created_at, _earned(e))
                for e in self._points.entries
                if e.customer_id == customer_id and _earned(e)
            ]
        return sorted((at, v) for at, v in found if since < at <= until)

    async def qualifying_value(
        self, customer_id: UUID, metric: QualificationMetric, since: datetime, until: datetime
    ) -> int:
        return max(0, sum(v for _, v in self._activity(customer_id, metric, since, until)))

    async def earliest_qualifying_at(
        self, customer_id: UUID, metric: QualificationMetric, since: datetime, until: datetime
    ) -> datetime | None:
        activity = self._activity(customer_id, metric, since, until)
        return activity[0][0] if activity else None

    async def hold_expired(
        self, as_of: date, since: datetime, until: datetime, *, after: UUID | None, limit: int
    ) -> Sequence[ReviewCandidate]:
        ids = sorted(
            cid
            for cid, m in self.rows.items()
            if m.hold_until is not None and m.hold_until < as_of and (after is None or cid > after)
        )[:limit]
        result = []
        for cid in ids:
            membership = await self.get(cid)
            assert membership is not None
            values = {
                metric: await self.qualifying_value(cid, metric, since, until)
                for metric in QualificationMetric
            }
            result.append(ReviewCandidate(membership=membership, values=values))
        return result


class FakeTicketOwners:
    """Tickets by id with their customer (merges already followed)."""

    def __init__(self) -> None:
        self.rows: dict[UUID, UUID] = {}

    async def customer_of(self, ticket_id: UUID) -> UUID | None:
        return self.rows.get(ticket_id)


class FakeLoyaltyUnitOfWork(FakeUnitOfWork):
    def __init__(self, handlers: EventHandlers | None = None) -> None:
        super().__init__(handlers)
        self.tiers = FakeTierRepository()
        self.points = FakePointsAccountRepository()
        self.memberships = FakeMembershipRepository(self.points)
        self.ticket_owners = FakeTicketOwners()
