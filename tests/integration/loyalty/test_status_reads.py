"""The read side's member status (batched for loaders) equals the domain's use case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.loyalty.ledger import PointsAccount, Posting
from domain.loyalty.membership import Membership
from domain.loyalty.membership_services import get_member_status
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.tiers import TierLadder, default_tiers
from persistence.queries.loyalty import membership_statuses, points_statuses
from tests.integration.loyalty.support import insert_customer, insert_order, plain_uow
from tests.unit.fakes import FixedClock

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def test_batched_status_reads_match_get_member_status(engine: AsyncEngine) -> None:
    ladder = TierLadder(default_tiers())
    program = LoyaltyProgram()
    plain = await insert_customer(engine)
    silver = await insert_customer(engine)
    top = await insert_customer(engine)
    legacy = await insert_customer(engine)  # from before loyalty: no membership, no account
    async with plain_uow(engine) as uow:
        for tier in ladder.tiers:
            await uow.tiers.add(tier)
        await uow.memberships.add(Membership.begin(plain, ladder, NOW - timedelta(days=50)))
        member = Membership.begin(silver, ladder, NOW - timedelta(days=400))
        member.qualify(ladder, ladder.get("SILVER"), NOW - timedelta(days=20))
        await uow.memberships.add(member)
        best = Membership.begin(top, ladder, NOW - timedelta(days=400))
        best.assign(ladder, ladder.get("PLATINUM"), NOW - timedelta(days=10), date(2027, 1, 1))
        await uow.memberships.add(best)
        account = PointsAccount(customer_id=silver)
        posting = Posting(reason="t", actor="t", source=None, idempotency_key="s1")
        account.earn(
            70, posting, now=NOW - timedelta(days=300), expires_at=NOW - timedelta(hours=1)
        )
        account.earn(
            30,
            Posting(reason="t", actor="t", source=None, idempotency_key="s2"),
            now=NOW - timedelta(days=200),
            expires_at=NOW + timedelta(days=5),
        )
        account.earn(
            45,
            Posting(reason="t", actor="t", source=None, idempotency_key="s3"),
            now=NOW - timedelta(days=100),
            expires_at=NOW + timedelta(days=5, hours=3),
        )
        account.earn(
            80,
            Posting(reason="t", actor="t", source=None, idempotency_key="s4"),
            now=NOW - timedelta(days=10),
            expires_at=NOW + timedelta(days=200),
        )
        await uow.points.add(account)
        await uow.commit()
    await insert_order(engine, silver, 60_000, "PAID", NOW - timedelta(days=20))
    await insert_order(engine, silver, 9_000, "PAID", NOW - timedelta(days=200))

    ids = [plain, silver, top, legacy]
    async with engine.connect() as conn:
        memberships = await membership_statuses(conn, ids, program, NOW)
        points = await points_statuses(conn, ids, program, NOW)

    for customer_id in ids:
        expected = await get_member_status(plain_uow(engine), FixedClock(NOW), program, customer_id)
        membership = memberships[customer_id]
        assert membership.tier == expected.tier
        assert membership.hold_until == expected.hold_until
        assert membership.progress == expected.progress
        if customer_id != legacy:  # both show "now" for a membership not stored yet
            assert membership.tier_since == expected.tier_since
        balance = points.get(customer_id)
        assert (balance.balance if balance else 0) == expected.balance
        assert (balance.lifetime_earned if balance else 0) == expected.lifetime_earned
        assert (balance.expiring_soon if balance else ()) == expected.expiring_soon
    # The cases are the interesting ones: a due lot left out, two lots expiring the same day
    assert points[silver].balance == 30 + 45 + 80
    assert [(e.amount, e.date) for e in points[silver].expiring_soon] == [(75, date(2026, 6, 6))]
    silver_progress = memberships[silver].progress
    assert silver_progress is not None
    assert silver_progress.remaining == 150_000 - 69_000
    assert memberships[top].progress is None
