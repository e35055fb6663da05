"""The consent log and the current-state columns kept in step with it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.customers.commands import SetConsent
from domain.customers.consent import ConsentChannel, ConsentState, OptInLevel
from domain.customers.services import set_consent
from persistence.tables.customers import consent_entries, customers
from tests.integration.customers.builders import count_rows, fetch_one, make_customer
from tests.integration.customers.conftest import MakeUow
from tests.unit.fakes import FixedClock

EMAIL, SMS, PUSH = ConsentChannel.EMAIL, ConsentChannel.SMS, ConsentChannel.PUSH
SUBSCRIBED, UNSUBSCRIBED, PENDING = (
    ConsentState.SUBSCRIBED,
    ConsentState.UNSUBSCRIBED,
    ConsentState.PENDING,
)


async def _current_columns(engine: AsyncEngine, customer_id: object) -> tuple[str | None, ...]:
    row = await fetch_one(engine, customers, customers.c.id == customer_id)
    return (row.email_consent, row.sms_consent, row.push_consent)


async def test_consent_changes_are_logged_and_the_current_state_columns_follow(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    customer = await make_customer(make_uow(), clock, email="ana@example.com")
    assert await _current_columns(engine, customer.id) == (None, None, None)

    await set_consent(
        make_uow(),
        clock,
        SetConsent(customer_id=customer.id, channel=EMAIL, state=PENDING, source="signup-form"),
    )
    clock.advance(minutes=5)
    await set_consent(
        make_uow(),
        clock,
        SetConsent(
            customer_id=customer.id,
            channel=EMAIL,
            state=SUBSCRIBED,
            opt_in_level=OptInLevel.CONFIRMED,
            source="confirmation-link",
        ),
    )
    await set_consent(
        make_uow(),
        clock,
        SetConsent(customer_id=customer.id, channel=SMS, state=UNSUBSCRIBED, source="sms-stop"),
    )

    assert await _current_columns(engine, customer.id) == ("SUBSCRIBED", "UNSUBSCRIBED", None)
    async with make_uow() as uow:
        log = await uow.consents.get_log(customer.id)
    assert [(e.channel, e.state) for e in log.history()] == [
        (EMAIL, PENDING),
        (EMAIL, SUBSCRIBED),
        (SMS, UNSUBSCRIBED),
    ]
    current = log.current(EMAIL)
    assert current is not None and current.opt_in_level == OptInLevel.CONFIRMED
    assert current.occurred_at == clock.now() and current.recorded_at == clock.now()


async def test_a_late_older_change_joins_the_history_without_changing_the_current_state(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    customer = await make_customer(make_uow(), clock, email="bo@example.com")
    await set_consent(
        make_uow(),
        clock,
        SetConsent(customer_id=customer.id, channel=PUSH, state=UNSUBSCRIBED, source="app"),
    )
    clock.advance(minutes=1)

    await set_consent(
        make_uow(),
        clock,
        SetConsent(
            customer_id=customer.id,
            channel=PUSH,
            state=SUBSCRIBED,
            source="import",
            occurred_at=clock.now() - timedelta(days=30),
        ),
    )

    assert await count_rows(engine, consent_entries) == 2
    assert await _current_columns(engine, customer.id) == (None, None, "UNSUBSCRIBED")


async def test_entries_recorded_at_the_same_instant_are_ordered_by_recording_then_id(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    customer = await make_customer(make_uow(), clock, email="cy@example.com")
    happened = clock.now()
    await set_consent(
        make_uow(),
        clock,
        SetConsent(
            customer_id=customer.id, channel=SMS, state=SUBSCRIBED, source="a", occurred_at=happened
        ),
    )
    clock.advance(seconds=1)
    # The same occurred_at, recorded later: it is the current one
    await set_consent(
        make_uow(),
        clock,
        SetConsent(
            customer_id=customer.id,
            channel=SMS,
            state=UNSUBSCRIBED,
            source="b",
            occurred_at=happened,
        ),
    )

    assert await _current_columns(engine, customer.id) == (None, "UNSUBSCRIBED", None)
    async with make_uow() as uow:
        log = await uow.consents.get_log(customer.id)
    assert log.state_of(SMS) == UNSUBSCRIBED


async def test_reassigning_entries_moves_the_current_state_of_both_customers(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    loser = await make_customer(make_uow(), clock, email="dee@example.com")
    winner = await make_customer(make_uow(), clock, email="dee2@example.com")
    await set_consent(
        make_uow(),
        clock,
        SetConsent(customer_id=winner.id, channel=EMAIL, state=UNSUBSCRIBED, source="x"),
    )
    clock.advance(minutes=1)
    await set_consent(
        make_uow(),
        clock,
        SetConsent(customer_id=loser.id, channel=EMAIL, state=SUBSCRIBED, source="y"),
    )
    await set_consent(
        make_uow(),
        clock,
        SetConsent(customer_id=loser.id, channel=SMS, state=SUBSCRIBED, source="y"),
    )

    async with make_uow() as uow:
        moved = await uow.consents.reassign_all(loser.id, winner.id)
        await uow.commit()

    assert len(moved) == 2
    assert await _current_columns(engine, winner.id) == ("SUBSCRIBED", "SUBSCRIBED", None)
    assert await _current_columns(engine, loser.id) == (None, None, None)

    async with make_uow() as uow:
        back = await uow.consents.reassign([*moved, moved[0]], winner.id, loser.id)
        assert await uow.consents.count_for_customer(loser.id) == 2
        await uow.commit()

    assert sorted(back) == sorted(moved)
    assert await _current_columns(engine, winner.id) == ("UNSUBSCRIBED", None, None)
    assert await _current_columns(engine, loser.id) == ("SUBSCRIBED", "SUBSCRIBED", None)
