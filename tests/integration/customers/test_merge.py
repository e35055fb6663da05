"""Merging customers (dry run, merge, look-ups through the loser, undo) on both databases."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.activity.commands import EventInput, RecordEvents
from domain.activity.model import ActivityKind
from domain.activity.services import record_events
from domain.customers.commands import (
    CustomerRef,
    IdentityInput,
    MergeCustomers,
    SetConsent,
    UnmergeCustomers,
)
from domain.customers.consent import ConsentChannel, ConsentState
from domain.customers.errors import (
    CustomerAlreadyMerged,
    MergeAlreadyUndone,
    MergeIntoItself,
    MergeSuperseded,
)
from domain.customers.merge import Merge
from domain.customers.merging import merge_customers, unmerge_customers
from domain.customers.model import Customer
from domain.customers.participants import Participants
from domain.customers.services import find_customer, get_customer, set_consent
from domain.orders.model import Order
from persistence.tables.access import audit_log
from persistence.tables.activity import activity_events
from persistence.tables.customers import customer_identities, customer_merges, customers
from persistence.tables.orders import customer_stats, orders
from tests.integration.customers.builders import count_rows, fetch_one, make_customer, make_order
from tests.integration.customers.conftest import MakeUow
from tests.unit.fakes import FixedClock
from tests.unit.orders.builders import order_command

ACTOR = "admin:test"


@dataclass
class Pair:
    loser: Customer
    winner: Customer
    loser_order: Order
    winner_order: Order


async def _pair(make_uow: MakeUow, clock: FixedClock) -> Pair:
    """A loser with an identity, an order, two events and a consent; a winner with an order."""
    loser = await make_customer(
        make_uow(), clock, email="lou@example.com", identities=(("shopify", "L-1"),)
    )
    winner = await make_customer(
        make_uow(), clock, email="win@example.com", identities=(("app", "W-1"),)
    )
    loser_order = await make_order(
        make_uow(),
        clock,
        order_command(external_id="L-o1", customer=CustomerRef(id=loser.id), total=3000),
    )
    winner_order = await make_order(
        make_uow(),
        clock,
        order_command(external_id="W-o1", customer=CustomerRef(id=winner.id), total=5000),
    )
    await record_events(
        make_uow(),
        clock,
        RecordEvents(
            events=[
                EventInput(
                    kind=ActivityKind.PAGE_VIEW,
                    customer=CustomerRef(id=loser.id),
                    url="https://s/1",
                ),
                EventInput(
                    kind=ActivityKind.PAGE_VIEW,
                    customer=CustomerRef(id=loser.id),
                    url="https://s/2",
                ),
            ]
        ),
    )
    await set_consent(
        make_uow(),
        clock,
        SetConsent(
            customer_id=loser.id,
            channel=ConsentChannel.EMAIL,
            state=ConsentState.SUBSCRIBED,
            source="form",
        ),
    )
    clock.advance(minutes=1)
    return Pair(loser, winner, loser_order, winner_order)


async def _merge(
    make_uow: MakeUow, clock: FixedClock, participants: Participants, loser: UUID, winner: UUID
) -> Merge:
    outcome = await merge_customers(
        make_uow(),
        clock,
        participants,
        MergeCustomers(loser_id=loser, winner_id=winner, actor=ACTOR),
    )
    assert outcome.merge is not None
    return outcome.merge


async def _net_spent(engine: AsyncEngine, customer_id: UUID) -> tuple[int, int]:
    row = await fetch_one(engine, customer_stats, customer_stats.c.customer_id == customer_id)
    return (row.orders_count, row.net_spent)


async def test_a_dry_run_previews_the_moves_and_writes_nothing(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock, participants: Participants
) -> None:
    pair = await _pair(make_uow, clock)
    audits = await count_rows(engine, audit_log)

    outcome = await merge_customers(
        make_uow(),
        clock,
        participants,
        MergeCustomers(loser_id=pair.loser.id, winner_id=pair.winner.id, actor=ACTOR, dry_run=True),
    )

    assert outcome.merge is None
    # Other contexts (tickets, loyalty, ...) add their kinds; these are the loser's records here
    moves = outcome.preview.moves
    assert {kind: moves[kind] for kind in ("identities", "consents", "orders", "events")} == {
        "identities": 1,
        "consents": 1,
        "orders": 1,
        "events": 2,
    }
    assert [p.participant for p in outcome.preview.parts][:4] == [
        "identities",
        "consents",
        "orders",
        "activity",
    ]
    assert outcome.preview.blockers == ()
    assert await count_rows(engine, customer_merges) == 0
    assert await count_rows(engine, audit_log) == audits
    assert (await fetch_one(engine, customers, customers.c.id == pair.loser.id)).merged_into is None
    assert await count_rows(engine, orders, orders.c.customer_id == pair.loser.id) == 1
    assert (
        await count_rows(
            engine, customer_identities, customer_identities.c.customer_id == pair.loser.id
        )
        == 1
    )


async def test_a_merge_moves_everything_and_the_loser_answers_for_the_winner(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock, participants: Participants
) -> None:
    pair = await _pair(make_uow, clock)

    merge = await _merge(make_uow, clock, participants, pair.loser.id, pair.winner.id)

    # The loser is a pointer; its records belong to the winner
    loser_row = await fetch_one(engine, customers, customers.c.id == pair.loser.id)
    assert loser_row.merged_into == pair.winner.id
    assert loser_row.email_consent is None
    winner_row = await fetch_one(engine, customers, customers.c.id == pair.winner.id)
    assert winner_row.email_consent == "SUBSCRIBED"
    assert await count_rows(engine, orders, orders.c.customer_id == pair.winner.id) == 2
    assert (
        await count_rows(engine, activity_events, activity_events.c.customer_id == pair.winner.id)
        == 2
    )
    assert await _net_spent(engine, pair.winner.id) == (2, 8000)
    assert await _net_spent(engine, pair.loser.id) == (0, 0)
    # The merge record keeps what moved, and the merge is audited
    stored = await fetch_one(engine, customer_merges, customer_merges.c.id == merge.id)
    assert stored.moved["orders"] == {"orders": [str(pair.loser_order.id)]}
    assert stored.moved["identities"] == {"identities": [str(pair.loser.identities[0].id)]}
    audit = await fetch_one(engine, audit_log, audit_log.c.action == "customer.merge")
    assert (audit.actor, audit.target) == (ACTOR, str(pair.winner.id))
    # Look-ups by the loser's id, email and identity answer the winner
    assert (await get_customer(make_uow(), pair.loser.id)).id == pair.winner.id
    by_email = await find_customer(make_uow(), email="LOU@example.com")
    by_identity = await find_customer(
        make_uow(), identity=IdentityInput(channel="shopify", external_id="L-1")
    )
    assert by_email is not None and by_email.id == pair.winner.id
    assert by_identity is not None and by_identity.id == pair.winner.id
    winner = await get_customer(make_uow(), pair.winner.id)
    assert sorted(i.external_id for i in winner.identities) == ["L-1", "W-1"]
    # And a new order naming the loser goes to the winner
    order = await make_order(
        make_uow(),
        clock,
        order_command(external_id="L-o2", customer=CustomerRef(id=pair.loser.id), total=1000),
    )
    assert order.customer_id == pair.winner.id
    assert await _net_spent(engine, pair.winner.id) == (3, 9000)


async def test_merging_into_itself_or_merging_a_merged_customer_is_refused(
    make_uow: MakeUow, clock: FixedClock, participants: Participants
) -> None:
    pair = await _pair(make_uow, clock)
    with pytest.raises(MergeIntoItself) as itself:
        await _merge(make_uow, clock, participants, pair.loser.id, pair.loser.id)
    assert itself.value.field == ("winnerId",)
    await _merge(make_uow, clock, participants, pair.loser.id, pair.winner.id)

    with pytest.raises(CustomerAlreadyMerged) as again:
        await _merge(make_uow, clock, participants, pair.loser.id, pair.winner.id)
    assert again.value.field == ("loserId",)


async def test_an_unmerge_gives_the_loser_back_its_records(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock, participants: Participants
) -> None:
    pair = await _pair(make_uow, clock)
    merge = await _merge(make_uow, clock, participants, pair.loser.id, pair.winner.id)
    clock.advance(minutes=1)

    undone = await unmerge_customers(
        make_uow(), clock, participants, UnmergeCustomers(merge_id=merge.id, actor=ACTOR)
    )

    assert undone.undone_at == clock.now()
    loser_row = await fetch_one(engine, customers, customers.c.id == pair.loser.id)
    assert (loser_row.merged_into, loser_row.email_consent) == (None, "SUBSCRIBED")
    assert (
        await fetch_one(engine, customers, customers.c.id == pair.winner.id)
    ).email_consent is None
    assert await count_rows(engine, orders, orders.c.customer_id == pair.loser.id) == 1
    assert (
        await count_rows(engine, activity_events, activity_events.c.customer_id == pair.loser.id)
        == 2
    )
    assert await _net_spent(engine, pair.loser.id) == (1, 3000)
    assert await _net_spent(engine, pair.winner.id) == (1, 5000)
    loser = await get_customer(make_uow(), pair.loser.id)
    assert [i.external_id for i in loser.identities] == ["L-1"]
    assert (await fetch_one(engine, customer_merges)).undone_at == clock.now()
    assert await count_rows(engine, audit_log, audit_log.c.action == "customer.unmerge") == 1

    with pytest.raises(MergeAlreadyUndone):
        await unmerge_customers(
            make_uow(), clock, participants, UnmergeCustomers(merge_id=merge.id, actor=ACTOR)
        )


async def test_a_merge_cannot_be_undone_while_a_later_one_involves_its_customers(
    make_uow: MakeUow, clock: FixedClock, participants: Participants
) -> None:
    pair = await _pair(make_uow, clock)
    third = await make_customer(make_uow(), clock, email="third@example.com")
    first = await _merge(make_uow, clock, participants, pair.loser.id, pair.winner.id)
    clock.advance(minutes=1)
    later = await _merge(make_uow, clock, participants, third.id, pair.winner.id)

    with pytest.raises(MergeSuperseded) as refused:
        await unmerge_customers(
            make_uow(), clock, participants, UnmergeCustomers(merge_id=first.id, actor=ACTOR)
        )
    assert str(later.id) in refused.value.message

    await unmerge_customers(
        make_uow(), clock, participants, UnmergeCustomers(merge_id=later.id, actor=ACTOR)
    )
    await unmerge_customers(
        make_uow(), clock, participants, UnmergeCustomers(merge_id=first.id, actor=ACTOR)
    )
    assert (await get_customer(make_uow(), pair.loser.id)).id == pair.loser.id
    assert (await get_customer(make_uow(), third.id)).id == third.id
