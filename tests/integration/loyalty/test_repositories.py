"""Loyalty repositories against SQLite and PostgreSQL: the SQL spellings of domain rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.loyalty.errors import StaleAccount
from domain.loyalty.ledger import (
    EntryKind,
    PointsAccount,
    Posting,
    Source,
    SourceKind,
    birthday_key,
)
from domain.loyalty.membership import Membership, TierChangeReason
from domain.loyalty.tiers import QualificationMetric, TierLadder, default_tiers
from domain.tickets.commands import CreateTicket
from domain.tickets.services import create_ticket
from domain.tickets.values import Actor, TicketKind
from persistence.tables.customers import customers
from persistence.tables.loyalty import tier_changes
from tests.integration.customers.builders import count_rows
from tests.integration.loyalty.support import insert_customer, insert_order, plain_uow
from tests.unit.fakes import FixedClock

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=365)
NET = QualificationMetric.NET_SPEND_365D
EARNED = QualificationMetric.POINTS_EARNED_365D


def _posting(key: str, source: Source | None = None) -> Posting:
    return Posting(reason="test", actor="test", source=source, idempotency_key=key)


async def test_net_spend_counts_purchases_in_the_window_less_their_refunds(
    engine: AsyncEngine,
) -> None:
    customer_id = await insert_customer(engine)
    oldest_counted = NOW - timedelta(days=300)
    await insert_order(engine, customer_id, 10_000, "PAID", oldest_counted)
    await insert_order(
        engine, customer_id, 5_000, "PARTIALLY_REFUNDED", NOW - timedelta(days=3), 2_000
    )
    await insert_order(engine, customer_id, 7_000, "CANCELLED", NOW - timedelta(days=2))
    await insert_order(engine, customer_id, 9_000, "PENDING", NOW - timedelta(days=2))
    await insert_order(engine, customer_id, 8_000, "REFUNDED", NOW - timedelta(days=2), 8_000)
    await insert_order(engine, customer_id, 6_000, "PAID", NOW - timedelta(days=400))
    await insert_order(engine, customer_id, 4_000, "PAID", NOW + timedelta(seconds=1))

    async with plain_uow(engine) as uow:
        value = await uow.memberships.qualifying_value(customer_id, NET, SINCE, NOW)
        oldest = await uow.memberships.earliest_qualifying_at(customer_id, NET, SINCE, NOW)
        nothing = await uow.memberships.qualifying_value(uuid4(), NET, SINCE, NOW)

    assert value == 10_000 + 3_000
    assert oldest == oldest_counted
    assert nothing == 0


async def test_points_earned_counts_earning_less_reversals_requested(engine: AsyncEngine) -> None:
    customer_id = await insert_customer(engine)
    async with plain_uow(engine) as uow:
        account = PointsAccount(customer_id=customer_id)
        first = NOW - timedelta(days=10)
        account.earn(100, _posting("e1"), now=first, expires_at=NOW + timedelta(days=300))
        account.earn(
            50,
            _posting("a1"),
            now=NOW - timedelta(days=5),
            expires_at=NOW + timedelta(days=300),
            kind=EntryKind.ADJUST,
        )
        account.redeem(120, _posting("r1"), now=NOW - timedelta(days=4))
        account.deduct(10, _posting("d1"), now=NOW - timedelta(days=3))
        # Asks 40 back with 20 left: takes 20, records a shortfall of 20; earned drops 40.
        account.reverse(40, _posting("v1"), now=NOW - timedelta(days=2))
        await uow.points.add(account)
        await uow.commit()

    async with plain_uow(engine) as uow:
        value = await uow.memberships.qualifying_value(customer_id, EARNED, SINCE, NOW)
        oldest = await uow.memberships.earliest_qualifying_at(customer_id, EARNED, SINCE, NOW)
        later = await uow.memberships.qualifying_value(
            customer_id, EARNED, NOW - timedelta(days=6), NOW
        )
        stored = await uow.points.get(customer_id)

    assert value == 100 + 50 - 40
    assert oldest == first
    assert later == 50 - 40
    assert stored is not None and stored.balance == 0 and stored.lifetime_earned == 110


async def test_hold_expired_pages_memberships_with_their_values(engine: AsyncEngine) -> None:
    ladder = TierLadder(default_tiers())
    ids = sorted([await insert_customer(engine) for _ in range(4)])
    holds = [date(2026, 5, 1), date(2026, 5, 31), date(2026, 6, 1), None]
    async with plain_uow(engine) as uow:
        for customer_id, hold in zip(ids, holds, strict=True):
            membership = Membership.begin(customer_id, ladder, NOW - timedelta(days=400))
            membership.assign(ladder, ladder.get("GOLD"), NOW - timedelta(days=400), hold)
            await uow.memberships.add(membership)
        await uow.commit()
    await insert_order(engine, ids[1], 70_000, "PAID", NOW - timedelta(days=30))

    async with plain_uow(engine) as uow:
        first = await uow.memberships.hold_expired(
            date(2026, 6, 1), SINCE, NOW, after=None, limit=1
        )
        rest = await uow.memberships.hold_expired(
            date(2026, 6, 1), SINCE, NOW, after=first[0].membership.customer_id, limit=10
        )

    assert [c.membership.customer_id for c in [*first, *rest]] == ids[:2]
    assert first[0].values == {NET: 0, EARNED: 0}
    assert rest[0].values == {NET: 70_000, EARNED: 0}
    assert rest[0].membership.tier_code == "GOLD"


async def test_memberships_keep_their_history(engine: AsyncEngine) -> None:
    ladder = TierLadder(default_tiers())
    customer_id = await insert_customer(engine)
    async with plain_uow(engine) as uow:
        await uow.memberships.add(Membership.begin(customer_id, ladder, NOW))
        await uow.commit()
    async with plain_uow(engine) as uow:
        membership = await uow.memberships.get_for_update(customer_id)
        assert membership is not None
        assert membership.qualify(ladder, ladder.get("SILVER"), NOW + timedelta(hours=1))
        await uow.memberships.save(membership)
        await uow.commit()
    async with plain_uow(engine) as uow:
        stored = await uow.memberships.get(customer_id)

    assert stored is not None and stored.tier_code == "SILVER"
    assert stored.hold_until == date(2027, 6, 1)
    assert await count_rows(engine, tier_changes, tier_changes.c.customer_id == customer_id) == 2
    assert (
        await count_rows(
            engine, tier_changes, tier_changes.c.reason == TierChangeReason.UPGRADE.value
        )
        == 1
    )


async def test_tiers_round_trip_with_their_multiplier(engine: AsyncEngine) -> None:
    seeded = default_tiers()
    async with plain_uow(engine) as uow:
        for tier in seeded:
            await uow.tiers.add(tier)
        await uow.commit()
    async with plain_uow(engine) as uow:
        gold = TierLadder(await uow.tiers.list()).get("GOLD")
        await uow.tiers.save(gold.revised(multiplier=Decimal("1.75"), benefits=["Lounge"]))
        await uow.commit()
    async with plain_uow(engine) as uow:
        tiers = list(await uow.tiers.list())

    assert [t.code for t in tiers] == ["MEMBER", "SILVER", "GOLD", "PLATINUM"]
    assert tiers[2].multiplier == Decimal("1.75") and tiers[2].benefits == ("Lounge",)
    assert tiers[1] == seeded[1]


async def test_a_stale_account_is_refused(engine: AsyncEngine) -> None:
    customer_id = await insert_customer(engine)
    async with plain_uow(engine) as uow:
        account = PointsAccount(customer_id=customer_id)
        account.earn(10, _posting("s1"), now=NOW, expires_at=NOW + timedelta(days=30))
        await uow.points.add(account)
        await uow.commit()
    async with plain_uow(engine) as uow:
        stale = await uow.points.get(customer_id)
    async with plain_uow(engine) as uow:
        fresh = await uow.points.get_for_update(customer_id)
        assert fresh is not None
        fresh.redeem(5, _posting("s2"), now=NOW)
        await uow.points.save(fresh)
        await uow.commit()
    assert stale is not None
    stale.redeem(10, _posting("s3"), now=NOW)
    async with plain_uow(engine) as uow:
        with pytest.raises(StaleAccount):
            await uow.points.save(stale)


async def test_birthdays_once_a_year_with_29_february_on_the_28th(engine: AsyncEngine) -> None:
    may = await insert_customer(engine, birthday=date(1990, 5, 1))
    leapling = await insert_customer(engine, birthday=date(1992, 2, 29))
    feb28 = await insert_customer(engine, birthday=date(1985, 2, 28))
    winner = await insert_customer(engine)
    merged = await insert_customer(engine, birthday=date(1991, 5, 1))
    async with engine.begin() as conn:
        await conn.execute(
            update(customers).where(customers.c.id == merged).values(merged_into=winner)
        )

    async def on(day: date) -> set[UUID]:
        async with plain_uow(engine) as uow:
            return set(await uow.points.birthdays(day, after=None, limit=100))

    assert await on(date(2026, 5, 1)) == {may}
    assert await on(date(2026, 2, 28)) == {leapling, feb28}
    assert await on(date(2028, 2, 28)) == {feb28}
    assert await on(date(2028, 2, 29)) == {leapling}
    assert await on(date(2026, 3, 1)) == set()
    # Once the bonus is booked under its key, the customer is not found again that year.
    async with plain_uow(engine) as uow:
        account = PointsAccount(customer_id=may)
        account.earn(
            250, _posting(birthday_key(may, 2026)), now=NOW, expires_at=NOW + timedelta(days=365)
        )
        await uow.points.add(account)
        await uow.commit()
    assert await on(date(2026, 5, 1)) == set()
    assert await on(date(2027, 5, 1)) == {may}
    # Paging: ids above `after`, at most `limit`.
    async with plain_uow(engine) as uow:
        first = await uow.points.birthdays(date(2026, 2, 28), after=None, limit=1)
        second = await uow.points.birthdays(date(2026, 2, 28), after=first[0], limit=1)
    assert sorted([*first, *second]) == sorted([leapling, feb28])


async def test_outstanding_points_leave_out_lots_due_but_not_swept(engine: AsyncEngine) -> None:
    customer_id = await insert_customer(engine)
    async with plain_uow(engine) as uow:
        account = PointsAccount(customer_id=customer_id)
        account.earn(
            100, _posting("o1"), now=NOW - timedelta(days=40), expires_at=NOW - timedelta(days=1)
        )
        account.earn(
            60, _posting("o2"), now=NOW - timedelta(days=20), expires_at=NOW + timedelta(days=100)
        )
        await uow.points.add(account)
        await uow.commit()
    async with plain_uow(engine) as uow:
        now = await uow.points.outstanding_points(NOW)
        earlier = await uow.points.outstanding_points(NOW - timedelta(days=30))
    assert now == 60
    assert earlier == 100


async def test_entries_move_to_the_winner_and_back(engine: AsyncEngine) -> None:
    loser, winner = await insert_customer(engine), await insert_customer(engine)
    order = Source(SourceKind.ORDER, "o-1")
    async with plain_uow(engine) as uow:
        account = PointsAccount(customer_id=loser)
        account.earn(80, _posting("m1", order), now=NOW, expires_at=NOW + timedelta(days=30))
        account.redeem(30, _posting("m2"), now=NOW)
        await uow.points.add(account)
        await uow.commit()
    async with plain_uow(engine) as uow:
        moved = await uow.points.move_entries(loser, winner)
        await uow.commit()
    async with plain_uow(engine) as uow:
        by_source = await uow.points.entries_for_source(order)
        totals = await uow.points.move_entries_back([*moved, uuid4()], winner, loser)
        await uow.commit()

    assert len(moved) == 2
    assert [(e.customer_id, e.points) for e in by_source] == [(winner, 80)]
    assert (totals.points, totals.earned) == (50, 80)


async def test_a_tickets_customer_is_found_through_merges(engine: AsyncEngine) -> None:
    # Given a ticket whose customer was merged away (twice) without it
    loser, between, winner = [await insert_customer(engine) for _ in range(3)]
    ticket = await create_ticket(
        plain_uow(engine),
        FixedClock(NOW),
        CreateTicket(
            actor=Actor.agent(uuid4()),
            kind=TicketKind.COMPLAINT,
            subject="Late",
            body="Still waiting.",
            customer_id=loser,
        ),
    )
    async with engine.begin() as conn:
        for merged, into in ((loser, between), (between, winner)):
            await conn.execute(
                update(customers).where(customers.c.id == merged).values(merged_into=into)
            )

    # When loyalty asks whose it is
    async with plain_uow(engine) as uow:
        owner = await uow.ticket_owners.customer_of(ticket.id)
        unknown = await uow.ticket_owners.customer_of(uuid4())

    # Then it is the customer the chain ends at; an unknown ticket is nobody's
    assert owner == winner
    assert unknown is None
