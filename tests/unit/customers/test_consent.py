from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.customers.commands import SetConsent
from domain.customers.consent import ConsentChannel, ConsentLog, ConsentState, OptInLevel
from domain.customers.errors import CustomerIsErased, InvalidConsent, UnknownCustomer
from domain.customers.events import ConsentChanged
from domain.customers.services import set_consent
from tests.unit.customers.builders import make_customer
from tests.unit.customers.fakes import FakeCustomersUnitOfWork
from tests.unit.fakes import FixedClock

EMAIL, SMS = ConsentChannel.EMAIL, ConsentChannel.SMS
SUBSCRIBED, UNSUBSCRIBED, PENDING = (
    ConsentState.SUBSCRIBED,
    ConsentState.UNSUBSCRIBED,
    ConsentState.PENDING,
)


def consent(
    customer_id: UUID,
    channel: ConsentChannel = EMAIL,
    state: ConsentState = SUBSCRIBED,
    **kwargs: Any,
) -> SetConsent:
    return SetConsent(
        customer_id=customer_id, channel=channel, state=state, source="storefront", **kwargs
    )


async def test_consent_changes_are_appended_and_the_latest_is_current(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com")

    await set_consent(uow, clock, consent(ana.id, state=PENDING))
    clock.advance(minutes=10)
    await set_consent(
        uow, clock, consent(ana.id, state=SUBSCRIBED, opt_in_level=OptInLevel.CONFIRMED)
    )
    clock.advance(days=30)
    log = await set_consent(uow, clock, consent(ana.id, state=UNSUBSCRIBED))

    assert [e.state for e in log.history()] == [PENDING, SUBSCRIBED, UNSUBSCRIBED]
    assert log.state_of(EMAIL) == UNSUBSCRIBED
    assert log.state_of(SMS) is None
    assert len(uow.consents.entries) == 3
    changes = [e for e in uow.published if isinstance(e, ConsentChanged)]
    assert [(c.previous_state, c.state) for c in changes] == [
        (None, "PENDING"), ("PENDING", "SUBSCRIBED"), ("SUBSCRIBED", "UNSUBSCRIBED"),
    ]  # fmt: skip


async def test_opt_in_level_defaults_by_state(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com")

    await set_consent(uow, clock, consent(ana.id, channel=EMAIL, state=SUBSCRIBED))
    log = await set_consent(uow, clock, consent(ana.id, channel=SMS, state=PENDING))

    email, sms = log.current(EMAIL), log.current(SMS)
    assert email is not None and email.opt_in_level == OptInLevel.SINGLE
    assert sms is not None and sms.opt_in_level == OptInLevel.CONFIRMED


async def test_replaying_the_same_change_appends_nothing(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com")
    when = clock.now() - timedelta(hours=2)
    await set_consent(uow, clock, consent(ana.id, occurred_at=when))
    published = len(uow.published)

    clock.advance(hours=1)
    await set_consent(uow, clock, consent(ana.id, occurred_at=when))

    assert len(uow.consents.entries) == 1
    assert len(uow.published) == published


async def test_a_later_repeat_is_kept_and_outranks_an_older_late_change(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com")
    start = clock.now() - timedelta(days=10)
    await set_consent(uow, clock, consent(ana.id, state=UNSUBSCRIBED, occurred_at=start))
    published = len(uow.published)
    await set_consent(
        uow, clock, consent(ana.id, state=UNSUBSCRIBED, occurred_at=start + timedelta(days=2))
    )
    assert len(uow.published) == published

    # A subscription from day 1 arrives late: the unsubscription of day 2 still stands.
    log = await set_consent(
        uow, clock, consent(ana.id, state=SUBSCRIBED, occurred_at=start + timedelta(days=1))
    )

    assert log.state_of(EMAIL) == UNSUBSCRIBED
    assert len(uow.consents.entries) == 3


async def test_an_older_change_joins_the_history_without_changing_the_current_state(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com")
    await set_consent(uow, clock, consent(ana.id, state=UNSUBSCRIBED))
    published = len(uow.published)

    log = await set_consent(
        uow, clock, consent(ana.id, state=SUBSCRIBED, occurred_at=clock.now() - timedelta(days=400))
    )

    assert log.state_of(EMAIL) == UNSUBSCRIBED
    assert [e.state for e in log.history()] == [SUBSCRIBED, UNSUBSCRIBED]
    assert len(uow.published) == published


async def test_an_unsubscription_with_an_opt_in_level_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com")

    with pytest.raises(InvalidConsent) as caught:
        await set_consent(
            uow, clock, consent(ana.id, state=UNSUBSCRIBED, opt_in_level=OptInLevel.SINGLE)
        )

    assert caught.value.field == ("optInLevel",)
    assert uow.consents.entries == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"occurred_at": datetime(2030, 1, 1, tzinfo=UTC)}, ("occurredAt",)),
        ({"occurred_at": datetime(2025, 1, 1)}, ("occurredAt",)),
    ],
)
async def test_consent_at_a_bad_time_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, kwargs: dict[str, Any], field: tuple[str]
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com")

    with pytest.raises(InvalidConsent) as caught:
        await set_consent(uow, clock, consent(ana.id, **kwargs))

    assert caught.value.field == field


async def test_consent_without_a_source_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com")

    with pytest.raises(InvalidConsent) as caught:
        await set_consent(
            uow, clock, SetConsent(customer_id=ana.id, channel=EMAIL, state=SUBSCRIBED, source=" ")
        )

    assert caught.value.field == ("source",)


async def test_consent_of_an_unknown_customer_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(UnknownCustomer) as caught:
        await set_consent(uow, clock, consent(uuid4()))

    assert caught.value.field == ("customerId",)


async def test_consent_of_an_erased_customer_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com")
    stored = uow.customers.rows[ana.id]
    stored.erase(now=clock.now())

    with pytest.raises(CustomerIsErased):
        await set_consent(uow, clock, consent(ana.id))


BASE = datetime(2025, 1, 1, tzinfo=UTC)
changes = st.lists(
    st.tuples(
        st.sampled_from(list(ConsentChannel)),
        st.sampled_from(list(ConsentState)),
        st.integers(min_value=0, max_value=1000),
    ),
    max_size=30,
)


@given(changes)
def test_current_state_is_the_latest_change_per_channel(
    steps: list[tuple[ConsentChannel, ConsentState, int]],
) -> None:
    log = ConsentLog(customer_id=uuid4())
    now = BASE + timedelta(days=10)
    latest: dict[ConsentChannel, tuple[datetime, int, ConsentState]] = {}
    seen: set[tuple[ConsentChannel, ConsentState, datetime]] = set()
    for order, (channel, state, minutes) in enumerate(steps):
        occurred = BASE + timedelta(minutes=minutes)
        now += timedelta(seconds=1)
        log.record(channel=channel, state=state, source="test", now=now, occurred_at=occurred)
        if (channel, state, occurred) in seen:
            continue  # an exact replay of a recorded change is no new fact
        seen.add((channel, state, occurred))
        if channel not in latest or (occurred, order) >= latest[channel][:2]:
            latest[channel] = (occurred, order, state)
    for channel in ConsentChannel:
        assert log.state_of(channel) == (latest[channel][2] if channel in latest else None)
