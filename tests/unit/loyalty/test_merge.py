"""Loyalty's part in a customer merge: preview, apply and undo."""

from __future__ import annotations

from uuid import UUID

from domain.customers.participants import MergeParticipant
from domain.loyalty.ledger import EntryKind
from domain.loyalty.merge import ENTRIES, LOTS, TIER, LoyaltyMergeParticipant
from domain.loyalty.points_services import RedeemPoints, redeem_points
from domain.loyalty.program import LoyaltyProgram
from tests.unit.fakes import FixedClock
from tests.unit.loyalty.builders import create_customer, make_uow, record_order
from tests.unit.loyalty.fakes import FakeLoyaltyUnitOfWork

PROGRAM = LoyaltyProgram(signup_bonus=0, first_order_bonus=0)


async def two_members() -> tuple[FakeLoyaltyUnitOfWork, FixedClock, UUID, UUID]:
    clock = FixedClock()
    uow = make_uow(clock, PROGRAM)
    loser = await create_customer(uow, clock)
    winner = await create_customer(uow, clock)
    await record_order(uow, clock, customer_id=loser, base_total=60_000)  # 600, SILVER
    clock.advance(days=1)
    await record_order(uow, clock, customer_id=winner, base_total=10_000)  # 100, MEMBER
    return uow, clock, loser, winner


def assert_ledger_sums(uow: FakeLoyaltyUnitOfWork, *customers: UUID) -> None:
    for customer_id in customers:
        balance = uow.points.balance_of(customer_id)
        assert balance == sum(e.points for e in uow.points.ledger_of(customer_id))
        assert balance == sum(lot.remaining for lot in uow.points.lots_of(customer_id))


def test_the_participant_fits_the_customers_protocol() -> None:
    participant: MergeParticipant = LoyaltyMergeParticipant(FixedClock())

    assert participant.name == "loyalty"


async def test_preview_counts_what_would_move_and_changes_nothing() -> None:
    uow, clock, loser, winner = await two_members()

    part = await LoyaltyMergeParticipant(clock).preview(uow, loser, winner)

    assert (part.participant, part.moves, part.blockers) == (
        "loyalty",
        {LOTS: 1, "points": 600},
        (),
    )
    assert uow.points.balance_of(winner) == 100


async def test_apply_moves_ledger_lots_balance_and_the_higher_tier() -> None:
    uow, clock, loser, winner = await two_members()
    participant = LoyaltyMergeParticipant(clock)

    async with uow:
        moved = await participant.apply(uow, loser, winner)
        await uow.commit()

    assert (uow.points.balance_of(winner), uow.points.balance_of(loser)) == (700, 0)
    assert uow.points.ledger_of(loser) == []
    assert len(moved[ENTRIES]) == 1 and len(moved[LOTS]) == 1
    assert uow.memberships.rows[winner].tier_code == "SILVER"
    assert uow.memberships.rows[winner].hold_until == uow.memberships.rows[loser].hold_until
    assert TIER in moved
    assert_ledger_sums(uow, loser, winner)


async def test_undo_gives_back_what_the_winner_still_holds_and_records_what_was_used() -> None:
    uow, clock, loser, winner = await two_members()
    participant = LoyaltyMergeParticipant(clock)
    async with uow:
        moved = await participant.apply(uow, loser, winner)
        await uow.commit()
    # The winner spends 650: its own oldest lot is the loser's 600, then 50 of its own.
    await redeem_points(
        uow,
        clock,
        RedeemPoints(customer_id=winner, points=650, idempotency_key="spend", actor="app"),
    )

    async with uow:
        await participant.undo(uow, loser, winner, moved)
        await uow.commit()

    assert (uow.points.balance_of(loser), uow.points.balance_of(winner)) == (0, 50)
    transfers = [
        e for c in (loser, winner) for e in uow.points.ledger_of(c) if e.kind is EntryKind.ADJUST
    ]
    assert sorted(e.points for e in transfers) == [-600, 600]
    assert uow.memberships.rows[winner].tier_code == "MEMBER"
    assert_ledger_sums(uow, loser, winner)


async def test_undo_of_an_untouched_merge_restores_both_accounts() -> None:
    uow, clock, loser, winner = await two_members()
    participant = LoyaltyMergeParticipant(clock)
    async with uow:
        moved = await participant.apply(uow, loser, winner)
        await uow.commit()

    async with uow:
        await participant.undo(uow, loser, winner, moved)
        await uow.commit()

    assert (uow.points.balance_of(loser), uow.points.balance_of(winner)) == (600, 100)
    assert [e.points for e in uow.points.ledger_of(loser)] == [600]
    assert_ledger_sums(uow, loser, winner)
