"""Redeem and adjust: idempotency, dry runs, locking, events; expiry, birthdays, liability."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.errors import IdempotencyConflict, ValidationFailed
from domain.loyalty.errors import (
    IdempotencyKeyRequired,
    InsufficientPoints,
    ReasonRequired,
    TicketNotFound,
    TicketOfAnotherCustomer,
)
from domain.loyalty.events import PointsBalanceChanged
from domain.loyalty.ledger import EntryKind, Source, SourceKind
from domain.loyalty.nightly import award_birthday_bonuses, expire_points, points_liability
from domain.loyalty.points_services import (
    AdjustPoints,
    RedeemPoints,
    adjust_points,
    redeem_points,
)
from domain.loyalty.program import LoyaltyProgram
from domain.money import Money
from tests.unit.fakes import FixedClock
from tests.unit.loyalty.builders import create_customer, make_uow
from tests.unit.loyalty.fakes import FakeLoyaltyUnitOfWork

NO_SIGNUP = LoyaltyProgram(signup_bonus=0)


def credit(customer_id: UUID, points: int, key: str = "credit-1") -> AdjustPoints:
    return AdjustPoints(
        customer_id=customer_id,
        points=points,
        reason="welcome gift",
        idempotency_key=key,
        actor="admin:1",
    )


def redeem(
    customer_id: UUID, points: int, key: str = "redeem-1", *, dry_run: bool = False
) -> RedeemPoints:
    return RedeemPoints(
        customer_id=customer_id,
        points=points,
        idempotency_key=key,
        actor="app",
        dry_run=dry_run,
    )


async def member_with(points: int) -> tuple[FakeLoyaltyUnitOfWork, FixedClock, UUID]:
    clock = FixedClock()
    uow = make_uow(clock, NO_SIGNUP)
    customer_id = await create_customer(uow, clock)
    if points:
        await adjust_points(uow, clock, NO_SIGNUP, credit(customer_id, points, "seed"))
    return uow, clock, customer_id


async def test_redeem_spends_the_balance_and_publishes_the_change() -> None:
    uow, clock, customer_id = await member_with(300)

    result = await redeem_points(uow, clock, redeem(customer_id, 120))

    assert (result.balance, result.delta, result.replayed) == (180, -120, False)
    assert uow.points.balance_of(customer_id) == 180
    assert uow.published[-1] == PointsBalanceChanged(
        customer_id=customer_id, balance=180, delta=-120, entry_kind="REDEEM"
    )
    assert uow.points.locked[-1] == customer_id  # loaded with get_for_update


async def test_redeem_more_than_the_balance_is_refused() -> None:
    uow, clock, customer_id = await member_with(100)
    committed = uow.committed

    with pytest.raises(InsufficientPoints) as error:
        await redeem_points(uow, clock, redeem(customer_id, 101))

    assert error.value.field == ("points",)
    assert uow.committed == committed
    assert uow.points.balance_of(customer_id) == 100
    assert len(uow.points.ledger_of(customer_id)) == 1


async def test_a_replay_with_the_same_key_returns_the_first_result_and_adds_nothing() -> None:
    uow, clock, customer_id = await member_with(300)
    first = await redeem_points(uow, clock, redeem(customer_id, 100))
    clock.advance(minutes=5)

    again = await redeem_points(uow, clock, redeem(customer_id, 100))

    assert again.replayed and again.entry == first.entry
    assert again.balance == 200
    assert uow.points.balance_of(customer_id) == 200
    assert len(uow.points.ledger_of(customer_id)) == 2


async def test_a_replay_after_later_changes_still_answers_with_the_first_balance() -> None:
    uow, clock, customer_id = await member_with(300)
    await redeem_points(uow, clock, redeem(customer_id, 100))
    await redeem_points(uow, clock, redeem(customer_id, 50, key="redeem-2"))

    again = await redeem_points(uow, clock, redeem(customer_id, 100))

    assert again.balance == 200
    assert uow.points.balance_of(customer_id) == 150


@pytest.mark.parametrize(
    "changed",
    [{"points": 101}, {"reason": "other"}, {"source": Source(SourceKind.CAMPAIGN, "c1")}],
)
async def test_the_same_key_with_other_arguments_is_refused(changed: dict[str, object]) -> None:
    uow, clock, customer_id = await member_with(300)
    command = redeem(customer_id, 100)
    await redeem_points(uow, clock, command)

    with pytest.raises(IdempotencyConflict) as error:
        await redeem_points(uow, clock, replace(command, **changed))  # type: ignore[arg-type]

    assert error.value.field == ("idempotencyKey",)
    assert uow.points.balance_of(customer_id) == 200


async def test_a_key_used_by_an_adjustment_cannot_redeem() -> None:
    uow, clock, customer_id = await member_with(300)

    with pytest.raises(IdempotencyConflict):
        await redeem_points(uow, clock, redeem(customer_id, 10, key="seed"))


async def test_a_blank_key_is_refused() -> None:
    uow, clock, customer_id = await member_with(300)

    with pytest.raises(ValidationFailed) as error:
        await redeem_points(uow, clock, redeem(customer_id, 10, key=" "))

    assert error.value.field == ("idempotencyKey",)


async def test_a_redeem_dry_run_shows_the_effect_and_changes_nothing() -> None:
    uow, clock, customer_id = await member_with(0)
    await adjust_points(uow, clock, NO_SIGNUP, credit(customer_id, 80, "a"))
    clock.advance(days=1)
    await adjust_points(uow, clock, NO_SIGNUP, credit(customer_id, 50, "b"))
    lots = uow.points.lots_of(customer_id)
    entries, published = len(uow.points.entries), len(uow.published)

    result = await redeem_points(uow, clock, redeem(customer_id, 100, dry_run=True))

    assert result.dry_run and result.balance == 30
    assert [(a.lot_id, a.points) for a in result.allocations] == [
        (lots[0].id, 80),
        (lots[1].id, 20),
    ]
    assert uow.points.balance_of(customer_id) == 130
    assert [lot.remaining for lot in uow.points.lots_of(customer_id)] == [80, 50]
    assert (len(uow.points.entries), len(uow.published)) == (entries, published)
    # The key was not used up by the dry run.
    real = await redeem_points(uow, clock, redeem(customer_id, 100))
    assert not real.replayed and real.balance == 30


async def test_an_adjustment_for_a_ticket_must_be_for_the_tickets_customer() -> None:
    uow, clock, customer_id = await member_with(100)
    other, ticket, theirs = uuid4(), uuid4(), uuid4()
    uow.ticket_owners.rows.update({ticket: customer_id, theirs: other})

    def for_ticket(ticket_id: str, key: str) -> AdjustPoints:
        return replace(credit(customer_id, 5, key), source=Source(SourceKind.TICKET, ticket_id))

    done = await adjust_points(uow, clock, NO_SIGNUP, for_ticket(str(ticket), "t-1"))
    with pytest.raises(TicketOfAnotherCustomer) as another:
        await adjust_points(uow, clock, NO_SIGNUP, for_ticket(str(theirs), "t-2"))
    with pytest.raises(TicketNotFound) as missing:
        await adjust_points(uow, clock, NO_SIGNUP, for_ticket(str(uuid4()), "t-3"))
    with pytest.raises(TicketNotFound):
        await adjust_points(uow, clock, NO_SIGNUP, for_ticket("not-a-uuid", "t-4"))

    assert done.entry.source == Source(SourceKind.TICKET, str(ticket))
    assert another.value.field == missing.value.field == ("ticketId",)
    assert uow.points.balance_of(customer_id) == 105


async def test_a_dry_run_needs_no_idempotency_key() -> None:
    uow, clock, customer_id = await member_with(100)
    entries = len(uow.points.entries)

    redeemed = await redeem_points(
        uow, clock, replace(redeem(customer_id, 30, dry_run=True), idempotency_key=None)
    )
    credited = await adjust_points(
        uow, clock, NO_SIGNUP, replace(credit(customer_id, 5), idempotency_key=None, dry_run=True)
    )

    assert (redeemed.dry_run, redeemed.balance) == (True, 70)
    assert (credited.dry_run, credited.balance) == (True, 105)
    assert len(uow.points.entries) == entries
    assert uow.points.balance_of(customer_id) == 100


async def test_a_change_without_an_idempotency_key_is_refused() -> None:
    uow, clock, customer_id = await member_with(100)

    with pytest.raises(IdempotencyKeyRequired) as redeeming:
        await redeem_points(uow, clock, replace(redeem(customer_id, 30), idempotency_key=None))
    with pytest.raises(IdempotencyKeyRequired) as adjusting:
        await adjust_points(
            uow, clock, NO_SIGNUP, replace(credit(customer_id, 5), idempotency_key=None)
        )

    assert redeeming.value.field == adjusting.value.field == ("idempotencyKey",)
    assert uow.points.balance_of(customer_id) == 100


async def test_an_adjustment_dry_run_changes_nothing() -> None:
    uow, clock, customer_id = await member_with(100)

    result = await adjust_points(
        uow, clock, NO_SIGNUP, replace(credit(customer_id, -40, "d"), dry_run=True)
    )

    assert result.balance == 60 and result.dry_run
    assert uow.points.balance_of(customer_id) == 100


async def test_an_adjustment_needs_a_reason() -> None:
    uow, clock, customer_id = await member_with(100)

    for points in (10, -10):
        with pytest.raises(ReasonRequired) as error:
            await adjust_points(
                uow,
                clock,
                NO_SIGNUP,
                replace(credit(customer_id, points, f"r{points}"), reason="  "),
            )
        assert error.value.field == ("reason",)
    assert uow.points.balance_of(customer_id) == 100


async def test_a_deduction_beyond_the_balance_is_refused() -> None:
    uow, clock, customer_id = await member_with(100)

    with pytest.raises(InsufficientPoints):
        await adjust_points(uow, clock, NO_SIGNUP, credit(customer_id, -101, "d"))


async def test_a_credit_is_a_lot_expiring_after_the_programme_period() -> None:
    uow, clock, customer_id = await member_with(0)

    await adjust_points(uow, clock, NO_SIGNUP, credit(customer_id, 10))

    (lot,) = uow.points.lots_of(customer_id)
    assert lot.expires_at == clock.now().replace(year=clock.now().year + 1)
    entry = uow.points.ledger_of(customer_id)[-1]
    assert (entry.kind, entry.lot_id, entry.source) == (
        EntryKind.ADJUST,
        lot.id,
        Source(SourceKind.MANUAL, "admin:1"),
    )


async def test_nightly_expiry_and_expiry_on_the_next_change_give_the_same_entries() -> None:
    async def history() -> tuple[FakeLoyaltyUnitOfWork, FixedClock, UUID]:
        uow, clock, customer_id = await member_with(0)
        await adjust_points(uow, clock, NO_SIGNUP, credit(customer_id, 100, f"{customer_id}a"))
        clock.advance(days=40)
        await adjust_points(uow, clock, NO_SIGNUP, credit(customer_id, 60, f"{customer_id}b"))
        await redeem_points(uow, clock, redeem(customer_id, 30, key=f"{customer_id}r"))
        clock.advance(days=400)
        return uow, clock, customer_id

    nightly, clock_a, a = await history()
    report = await expire_points(nightly, clock_a, clock_a.now())
    lazy, clock_b, b = await history()
    with pytest.raises(InsufficientPoints):
        await redeem_points(lazy, clock_b, redeem(b, 1, key="late"))
    # The refused redemption rolled back; a later change expires the same way.
    await adjust_points(lazy, clock_b, NO_SIGNUP, credit(b, 5, "late-credit"))

    def expiries(uow: FakeLoyaltyUnitOfWork, customer_id: UUID) -> list[tuple[object, ...]]:
        return [
            (e.points, e.created_at - clock_a.now(), e.balance_after)
            for e in uow.points.ledger_of(customer_id)
            if e.kind is EntryKind.EXPIRE
        ]

    assert (report.accounts, report.points) == (1, 130)
    assert expiries(nightly, a) == [(-70, timedelta(days=-75), 60), (-60, timedelta(days=-35), 0)]
    assert [(p, b_) for p, _, b_ in expiries(lazy, b)] == [(-70, 60), (-60, 0)]
    assert nightly.published[-1] == PointsBalanceChanged(
        customer_id=a, balance=0, delta=-130, entry_kind="EXPIRE"
    )


async def test_expiry_run_twice_expires_nothing_more() -> None:
    uow, clock, customer_id = await member_with(100)
    clock.advance(days=366)
    await expire_points(uow, clock, clock.now())

    again = await expire_points(uow, clock, clock.now())

    assert (again.accounts, again.points) == (0, 0)
    assert uow.points.balance_of(customer_id) == 0


async def test_expiry_in_the_future_is_refused() -> None:
    uow, clock, _ = await member_with(100)

    with pytest.raises(ValidationFailed):
        await expire_points(uow, clock, clock.now() + timedelta(days=1))


async def test_the_birthday_bonus_is_credited_once_a_year() -> None:
    uow, clock, customer_id = await member_with(0)
    uow.points.birthdays_of[customer_id] = date(1990, 1, 15)
    program = replace(NO_SIGNUP, birthday_bonus=250)

    first = await award_birthday_bonuses(uow, clock, program, date(2026, 1, 15))
    second = await award_birthday_bonuses(uow, clock, program, date(2026, 1, 15))
    other_day = await award_birthday_bonuses(uow, clock, program, date(2026, 1, 16))

    assert (first, second, other_day) == (1, 0, 0)
    assert uow.points.balance_of(customer_id) == 250
    entry = uow.points.ledger_of(customer_id)[-1]
    assert entry.source == Source(SourceKind.RULE, "birthday:2026")


async def test_a_29_february_birthday_is_celebrated_on_28_february_in_other_years() -> None:
    uow, clock, customer_id = await member_with(0)
    uow.points.birthdays_of[customer_id] = date(2000, 2, 29)

    credited = await award_birthday_bonuses(uow, clock, NO_SIGNUP, date(2027, 2, 28))

    assert credited == 1


async def test_birthday_bonuses_are_paged_through_every_customer() -> None:
    uow, clock, _ = await member_with(0)
    customers = [await create_customer(uow, clock) for _ in range(5)]
    for customer_id in customers:
        uow.points.birthdays_of[customer_id] = date(1985, 6, 1)

    credited = await award_birthday_bonuses(uow, clock, NO_SIGNUP, date(2026, 6, 1), batch_size=2)

    assert credited == 5
    assert all(uow.points.balance_of(c) == NO_SIGNUP.birthday_bonus for c in customers)


async def test_points_liability_counts_outstanding_points_at_their_value() -> None:
    uow, clock, customer_id = await member_with(1_000)
    await redeem_points(uow, clock, redeem(customer_id, 250))
    program = replace(NO_SIGNUP, point_value_minor=Decimal("0.5"), base_currency="USD")
    now = clock.now()
    clock.advance(days=400)  # the points are due but the nightly run has not expired them

    at_redeem = await points_liability(uow, clock, program, now)
    later = await points_liability(uow, clock, program)

    assert (at_redeem.points, at_redeem.value) == (750, Money(375, "USD"))
    assert (later.points, later.value) == (0, Money(0, "USD"))
