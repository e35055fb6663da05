"""Upgrades at once, downgrades only after the hold, history and member status."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from domain.loyalty.events import MembershipTierChanged
from domain.loyalty.membership import TierChangeReason
from domain.loyalty.membership_services import evaluate_memberships, get_member_status
from domain.loyalty.points_services import AdjustPoints, adjust_points
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.status import ExpiringPoints, TierProgress
from domain.loyalty.tier_services import UpdateTier, update_tier
from domain.loyalty.tiers import QualificationMetric
from tests.unit.fakes import FixedClock
from tests.unit.loyalty.builders import create_customer, make_uow, record_order
from tests.unit.loyalty.fakes import FakeLoyaltyUnitOfWork

PROGRAM = LoyaltyProgram(signup_bonus=0, first_order_bonus=0)
SILVER, GOLD = 50_000, 150_000


async def member() -> tuple[FakeLoyaltyUnitOfWork, FixedClock, UUID]:
    clock = FixedClock()  # 2026-01-15 12:00 UTC
    uow = make_uow(clock, PROGRAM)
    return uow, clock, await create_customer(uow, clock)


def tier_changes(uow: FakeLoyaltyUnitOfWork) -> list[tuple[str | None, str, str]]:
    return [
        (e.from_code, e.to_code, e.reason)
        for e in uow.published
        if isinstance(e, MembershipTierChanged)
    ]


async def test_an_order_that_qualifies_upgrades_at_once() -> None:
    uow, clock, customer_id = await member()

    await record_order(uow, clock, customer_id=customer_id, base_total=GOLD + 1)

    membership = uow.memberships.rows[customer_id]
    assert (membership.tier_code, membership.tier_since) == ("GOLD", clock.now())
    assert membership.hold_until == date(2027, 1, 15)
    assert tier_changes(uow)[-1] == ("MEMBER", "GOLD", "UPGRADE")
    assert uow.memberships.history[-1].reason is TierChangeReason.UPGRADE


async def test_spend_adds_up_over_the_rolling_window() -> None:
    uow, clock, customer_id = await member()
    await record_order(uow, clock, customer_id=customer_id, base_total=30_000)
    clock.advance(days=200)

    await record_order(uow, clock, customer_id=customer_id, base_total=20_000)

    assert uow.memberships.rows[customer_id].tier_code == "SILVER"


async def test_spend_older_than_the_window_does_not_count() -> None:
    uow, clock, customer_id = await member()
    await record_order(uow, clock, customer_id=customer_id, base_total=30_000)
    clock.advance(days=366)

    await record_order(uow, clock, customer_id=customer_id, base_total=20_000)

    assert uow.memberships.rows[customer_id].tier_code == "MEMBER"


async def test_qualifying_again_for_the_tier_held_extends_the_hold() -> None:
    uow, clock, customer_id = await member()
    await record_order(uow, clock, customer_id=customer_id, base_total=SILVER)
    clock.advance(days=100)
    published = len(tier_changes(uow))

    await record_order(uow, clock, customer_id=customer_id, base_total=100)

    membership = uow.memberships.rows[customer_id]
    assert membership.tier_code == "SILVER"
    assert membership.hold_until == date(2027, 4, 25)
    assert len(tier_changes(uow)) == published


async def test_a_lower_qualification_never_downgrades_on_an_order() -> None:
    uow, clock, customer_id = await member()
    await record_order(uow, clock, customer_id=customer_id, base_total=GOLD)
    clock.advance(days=400)

    await record_order(uow, clock, customer_id=customer_id, base_total=100)

    assert uow.memberships.rows[customer_id].tier_code == "GOLD"


async def test_the_evaluation_keeps_the_tier_while_it_is_held() -> None:
    uow, clock, customer_id = await member()
    await record_order(uow, clock, customer_id=customer_id, base_total=GOLD)
    clock.advance(days=366)  # the spend left the window, but the hold runs to 2027-01-15

    report = await evaluate_memberships(uow, clock, PROGRAM, date(2027, 1, 15))

    assert report.reviewed == 0
    assert uow.memberships.rows[customer_id].tier_code == "GOLD"


async def test_after_the_hold_the_evaluation_downgrades_to_the_tier_still_qualified_for() -> None:
    uow, clock, customer_id = await member()
    await record_order(uow, clock, customer_id=customer_id, base_total=GOLD)
    clock.advance(days=366)  # 2027-01-16: the GOLD spend left the window, the hold ended
    await record_order(uow, clock, customer_id=customer_id, base_total=SILVER)
    assert uow.memberships.rows[customer_id].tier_code == "GOLD"  # orders never downgrade

    report = await evaluate_memberships(uow, clock, PROGRAM, clock.now().date())

    membership = uow.memberships.rows[customer_id]
    assert (report.reviewed, report.downgraded) == (1, 1)
    assert membership.tier_code == "SILVER"  # not below what the new order still gives
    assert membership.hold_until == date(2028, 1, 16)
    assert tier_changes(uow)[-1] == ("GOLD", "SILVER", "DOWNGRADE")


async def test_after_the_hold_a_member_who_still_qualifies_is_held_again() -> None:
    uow, clock, customer_id = await member()
    await record_order(uow, clock, customer_id=customer_id, base_total=SILVER)
    clock.advance(days=300)
    await record_order(uow, clock, customer_id=customer_id, base_total=SILVER)
    # The second order extended the hold; force the evaluation to see an old hold.
    uow.memberships.rows[customer_id].hold_until = date(2026, 6, 1)

    report = await evaluate_memberships(uow, clock, PROGRAM, clock.now().date())

    membership = uow.memberships.rows[customer_id]
    assert (report.reviewed, report.downgraded) == (1, 0)
    assert membership.tier_code == "SILVER"
    assert membership.hold_until is not None and membership.hold_until > clock.now().date()


async def test_the_evaluation_is_idempotent_and_pages_through_members() -> None:
    clock = FixedClock()
    uow = make_uow(clock, PROGRAM)
    customers = [await create_customer(uow, clock) for _ in range(5)]
    for customer_id in customers:
        await record_order(uow, clock, customer_id=customer_id, base_total=SILVER)
    clock.advance(days=400)

    first = await evaluate_memberships(uow, clock, PROGRAM, clock.now().date(), batch_size=2)
    second = await evaluate_memberships(uow, clock, PROGRAM, clock.now().date(), batch_size=2)

    assert (first.reviewed, first.downgraded) == (5, 5)
    assert second.reviewed == 0
    assert {uow.memberships.rows[c].tier_code for c in customers} == {"MEMBER"}
    assert all(uow.memberships.rows[c].hold_until is None for c in customers)


async def test_a_points_metric_tier_counts_the_points_of_the_order_itself() -> None:
    uow, clock, customer_id = await member()
    await update_tier(
        uow, UpdateTier(code="SILVER", metric=QualificationMetric.POINTS_EARNED_365D, threshold=300)
    )

    await record_order(uow, clock, customer_id=customer_id, base_total=30_000)

    assert uow.memberships.rows[customer_id].tier_code == "SILVER"


async def test_member_status_shows_progress_to_the_next_tier_and_its_deadline() -> None:
    uow, clock, customer_id = await member()
    first_order_at = clock.now()
    await record_order(uow, clock, customer_id=customer_id, base_total=20_000)
    clock.advance(days=30)
    await record_order(uow, clock, customer_id=customer_id, base_total=10_000)

    status = await get_member_status(uow, clock, PROGRAM, customer_id)

    assert status.tier.code == "MEMBER" and status.benefits == status.tier.benefits
    assert status.progress == TierProgress(
        next_tier="SILVER",
        remaining=SILVER - 30_000,
        deadline=(first_order_at + timedelta(days=365)).date(),
    )
    assert (status.balance, status.lifetime_earned) == (300, 300)


async def test_member_status_without_activity_gives_a_full_window_as_deadline() -> None:
    uow, clock, customer_id = await member()

    status = await get_member_status(uow, clock, PROGRAM, customer_id)

    assert status.progress == TierProgress(
        next_tier="SILVER", remaining=SILVER, deadline=date(2027, 1, 15)
    )
    assert status.hold_until is None


async def test_member_status_at_the_top_tier_has_no_progress() -> None:
    uow, clock, customer_id = await member()
    await record_order(uow, clock, customer_id=customer_id, base_total=1_000_000)

    status = await get_member_status(uow, clock, PROGRAM, customer_id)

    assert status.tier.code == "PLATINUM" and status.progress is None
    assert status.hold_until == date(2027, 1, 15)


async def test_member_status_lists_points_expiring_soon_and_hides_expired_ones() -> None:
    uow, clock, customer_id = await member()
    for key, points in (("a", 40), ("b", 25)):
        await adjust_points(
            uow,
            clock,
            PROGRAM,
            AdjustPoints(
                customer_id=customer_id,
                points=points,
                reason="gift",
                idempotency_key=key,
                actor="admin",
                expires_at=clock.now() + timedelta(days=10 if key == "a" else 20),
            ),
        )
    clock.advance(days=12)

    status = await get_member_status(uow, clock, PROGRAM, customer_id)

    assert status.balance == 25  # the 40 expired; the nightly run has not swept them yet
    assert status.expiring_soon == (
        ExpiringPoints(amount=25, date=(clock.now() + timedelta(days=8)).date()),
    )
