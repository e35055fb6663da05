"""Points from orders, bonuses and reversals, through the registered handlers."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.errors import IdempotencyConflict
from domain.loyalty.events import MembershipTierChanged
from domain.loyalty.ledger import EntryKind, Source, SourceKind
from domain.loyalty.membership import TierChangeReason
from domain.loyalty.points_services import RedeemPoints, redeem_points
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.tier_services import UpdateTier, list_tiers, update_tier
from domain.orders.status import OrderStatus
from tests.unit.fakes import FixedClock
from tests.unit.loyalty.builders import (
    change_status,
    create_customer,
    make_uow,
    post_review,
    record_order,
    refund_order,
)
from tests.unit.loyalty.fakes import FakeLoyaltyUnitOfWork

PROGRAM = LoyaltyProgram(signup_bonus=100, first_order_bonus=200, review_bonus=50)
NO_BONUS = LoyaltyProgram(signup_bonus=0, first_order_bonus=0, review_bonus=0)


async def member(
    program: LoyaltyProgram = NO_BONUS,
) -> tuple[FakeLoyaltyUnitOfWork, FixedClock, UUID]:
    clock = FixedClock()
    uow = make_uow(clock, program)
    return uow, clock, await create_customer(uow, clock)


def kinds(uow: FakeLoyaltyUnitOfWork, customer_id: UUID) -> list[tuple[str, int, int]]:
    return [(e.kind.value, e.points, e.shortfall) for e in uow.points.ledger_of(customer_id)]


async def test_a_new_customer_is_a_member_of_the_lowest_tier_with_the_signup_bonus() -> None:
    uow, _, customer_id = await member(PROGRAM)

    membership = uow.memberships.rows[customer_id]
    assert (membership.tier_code, membership.hold_until) == ("MEMBER", None)
    assert [(c.from_code, c.to_code, c.reason) for c in uow.memberships.history] == [
        (None, "MEMBER", TierChangeReason.INITIAL)
    ]
    assert kinds(uow, customer_id) == [("EARN", 100, 0)]
    assert (
        MembershipTierChanged(
            customer_id=customer_id, from_code=None, to_code="MEMBER", reason="INITIAL"
        )
        in uow.published
    )


async def test_a_customer_created_twice_gets_one_signup_bonus() -> None:
    uow, clock, customer_id = await member(PROGRAM)

    await create_customer(uow, clock, customer_id=customer_id)

    assert kinds(uow, customer_id) == [("EARN", 100, 0)]


async def test_a_paid_order_earns_base_rate_times_multiplier_rounded_down() -> None:
    uow, clock, customer_id = await member()
    await update_tier(uow, UpdateTier(code="MEMBER", multiplier=Decimal("1.5")))

    await record_order(uow, clock, customer_id=customer_id, base_total=12_345)

    # 123.45 major units x 1 point x 1.5 = 185.175 -> 185
    assert kinds(uow, customer_id) == [("EARN", 185, 0)]


async def test_the_base_rate_is_configurable() -> None:
    program = LoyaltyProgram(
        signup_bonus=0, first_order_bonus=0, base_rate=Decimal("2"), minor_units_per_major=1
    )
    uow, clock, customer_id = await member(program)

    await record_order(uow, clock, customer_id=customer_id, base_total=999)

    assert kinds(uow, customer_id) == [("EARN", 1998, 0)]


async def test_the_first_order_earns_the_first_order_bonus() -> None:
    uow, clock, customer_id = await member(PROGRAM)

    order_id = await record_order(uow, clock, customer_id=customer_id, base_total=5_000, first=True)

    assert kinds(uow, customer_id)[1:] == [("EARN", 50, 0), ("EARN", 200, 0)]
    assert uow.points.ledger_of(customer_id)[-1].source == Source(SourceKind.ORDER, str(order_id))


async def test_a_pending_order_earns_when_it_is_paid() -> None:
    uow, clock, customer_id = await member()
    order_id = await record_order(
        uow, clock, customer_id=customer_id, base_total=7_000, status=OrderStatus.PENDING
    )
    assert kinds(uow, customer_id) == []

    await change_status(
        uow,
        clock,
        customer_id=customer_id,
        order_id=order_id,
        old=OrderStatus.PENDING,
        new=OrderStatus.PAID,
        base_total=7_000,
    )
    await change_status(
        uow,
        clock,
        customer_id=customer_id,
        order_id=order_id,
        old=OrderStatus.PAID,
        new=OrderStatus.FULFILLED,
        base_total=7_000,
    )

    assert kinds(uow, customer_id) == [("EARN", 70, 0)]


async def test_refunds_reverse_in_proportion_and_a_full_refund_reverses_everything() -> None:
    uow, clock, customer_id = await member()
    order_id = await record_order(uow, clock, customer_id=customer_id, base_total=10_100)
    refund = {"customer_id": customer_id, "order_id": order_id, "order_total": 10_100}

    await refund_order(uow, amount=3_000, refunded_total=3_000, **refund)  # type: ignore[arg-type]
    await refund_order(uow, amount=3_000, refunded_total=6_000, **refund)  # type: ignore[arg-type]
    await refund_order(uow, amount=4_100, refunded_total=10_100, **refund)  # type: ignore[arg-type]

    # 101 points: floor(101 * 3000/10100) = 30, then floor(101 * 6000/10100) = 60 in all.
    assert kinds(uow, customer_id) == [
        ("EARN", 101, 0),
        ("REVERSE", -30, 0),
        ("REVERSE", -30, 0),
        ("REVERSE", -41, 0),
    ]
    assert uow.points.balance_of(customer_id) == 0


async def test_a_reversal_beyond_the_balance_records_the_shortfall() -> None:
    uow, clock, customer_id = await member()
    order_id = await record_order(uow, clock, customer_id=customer_id, base_total=10_000)
    await redeem_points(
        uow,
        clock,
        RedeemPoints(customer_id=customer_id, points=90, idempotency_key="r", actor="app"),
    )

    await refund_order(
        uow,
        customer_id=customer_id,
        order_id=order_id,
        amount=10_000,
        refunded_total=10_000,
        order_total=10_000,
    )

    assert kinds(uow, customer_id)[-1] == ("REVERSE", -10, 90)
    assert uow.points.balance_of(customer_id) == 0


async def test_a_shortfall_counts_as_reversed_for_later_refunds() -> None:
    uow, clock, customer_id = await member()
    order_id = await record_order(uow, clock, customer_id=customer_id, base_total=10_000)
    await redeem_points(
        uow,
        clock,
        RedeemPoints(customer_id=customer_id, points=100, idempotency_key="r", actor="app"),
    )
    refund = {"customer_id": customer_id, "order_id": order_id, "order_total": 10_000}
    await refund_order(uow, amount=5_000, refunded_total=5_000, **refund)  # type: ignore[arg-type]
    await record_order(uow, clock, customer_id=customer_id, base_total=10_000)

    await refund_order(uow, amount=5_000, refunded_total=10_000, **refund)  # type: ignore[arg-type]

    assert kinds(uow, customer_id)[-3:] == [
        ("REVERSE", 0, 50),
        ("EARN", 100, 0),
        ("REVERSE", -50, 0),
    ]


async def test_a_replayed_refund_reverses_nothing_more() -> None:
    uow, clock, customer_id = await member()
    order_id = await record_order(uow, clock, customer_id=customer_id, base_total=10_000)
    refund_id = uuid4()

    for _ in range(2):
        await refund_order(
            uow,
            customer_id=customer_id,
            order_id=order_id,
            amount=2_500,
            refunded_total=2_500,
            order_total=10_000,
            refund_id=refund_id,
        )

    assert kinds(uow, customer_id) == [("EARN", 100, 0), ("REVERSE", -25, 0)]


async def test_a_refund_id_reused_for_another_amount_is_refused() -> None:
    uow, clock, customer_id = await member()
    order_id = await record_order(uow, clock, customer_id=customer_id, base_total=10_000)
    refund_id = uuid4()
    await refund_order(
        uow,
        customer_id=customer_id,
        order_id=order_id,
        amount=2_500,
        refunded_total=2_500,
        order_total=10_000,
        refund_id=refund_id,
    )

    with pytest.raises(IdempotencyConflict):
        await refund_order(
            uow,
            customer_id=customer_id,
            order_id=order_id,
            amount=5_000,
            refunded_total=5_000,
            order_total=10_000,
            refund_id=refund_id,
        )


async def test_a_cancelled_order_reverses_all_its_points_including_the_bonus() -> None:
    uow, clock, customer_id = await member(PROGRAM)
    order_id = await record_order(
        uow, clock, customer_id=customer_id, base_total=10_000, first=True
    )
    await refund_order(
        uow,
        customer_id=customer_id,
        order_id=order_id,
        amount=1_000,
        refunded_total=1_000,
        order_total=10_000,
    )

    await change_status(
        uow,
        clock,
        customer_id=customer_id,
        order_id=order_id,
        old=OrderStatus.PARTIALLY_REFUNDED,
        new=OrderStatus.CANCELLED,
        base_total=10_000,
    )

    # 100 + 200 earned; 30 reversed by the refund, the other 270 by the cancellation.
    assert kinds(uow, customer_id)[-2:] == [("REVERSE", -30, 0), ("REVERSE", -270, 0)]
    assert uow.points.balance_of(customer_id) == 100  # the sign-up bonus stays


async def test_cancelling_an_order_that_earned_nothing_changes_nothing() -> None:
    uow, clock, customer_id = await member()
    order_id = await record_order(
        uow, clock, customer_id=customer_id, base_total=10_000, status=OrderStatus.PENDING
    )

    await change_status(
        uow,
        clock,
        customer_id=customer_id,
        order_id=order_id,
        old=OrderStatus.PENDING,
        new=OrderStatus.CANCELLED,
        base_total=10_000,
    )

    assert kinds(uow, customer_id) == []


async def test_a_review_earns_the_review_bonus_once() -> None:
    uow, clock, customer_id = await member(PROGRAM)
    event_id = uuid4()

    await post_review(uow, clock, customer_id=customer_id, event_id=event_id)
    await post_review(uow, clock, customer_id=customer_id, event_id=event_id)
    await post_review(uow, clock, customer_id=customer_id, event_id=uuid4())

    assert [p for k, p, _ in kinds(uow, customer_id)] == [100, 50, 50]


async def test_points_and_tier_commit_with_the_order() -> None:
    uow, clock, customer_id = await member()
    await list_tiers(uow)
    committed = uow.committed

    await record_order(uow, clock, customer_id=customer_id, base_total=60_000)

    assert uow.committed == committed + 1
    assert uow.memberships.rows[customer_id].tier_code == "SILVER"
    assert kinds(uow, customer_id)[0][0] == EntryKind.EARN.value


async def test_the_order_that_upgrades_earns_at_the_old_tier_and_the_next_at_the_new() -> None:
    uow, clock, customer_id = await member()

    await record_order(uow, clock, customer_id=customer_id, base_total=60_000)
    await record_order(uow, clock, customer_id=customer_id, base_total=10_000)

    # MEMBER x1 for the first order (it made the customer SILVER), SILVER x1.25 after.
    assert kinds(uow, customer_id) == [("EARN", 600, 0), ("EARN", 125, 0)]
