"""The SQL ticket repository: round trips, numbering, the version check, breach candidates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.ids import new_id
from domain.tickets.commands import CreateTicket, ReplyToTicket, TransitionTicket
from domain.tickets.errors import ConcurrentModification
from domain.tickets.model import Ticket
from domain.tickets.priority import Priority
from domain.tickets.services import (
    create_ticket,
    flag_sla_breaches,
    reply_to_ticket,
    transition_ticket,
)
from domain.tickets.sla import SlaPolicy, SlaTarget
from domain.tickets.values import Actor, OrderLineRef, TicketKind, TicketStatus
from persistence.tables.tickets import ticket_messages, tickets
from persistence.tickets import standard_ticket_settings
from tests.integration.tickets.seed import make_customer, make_order
from tests.unit.fakes import FixedClock

AGENT = Actor.agent(new_id())
# A Monday morning; the default calendar is Mon-Fri 09:00-12:30, 13:30-18:00 (UTC here).
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _open(
    services: Services,
    clock: FixedClock,
    *,
    customer_id: UUID,
    kind: TicketKind = TicketKind.INQUIRY,
    priority: Priority | None = None,
    **more: Any,
) -> Ticket:
    command = CreateTicket(
        actor=AGENT,
        kind=kind,
        subject="Where is my parcel?",
        body="It has been a week.",
        customer_id=customer_id,
        priority=priority,
        **more,
    )
    return await create_ticket(services.uow(), clock, command)


async def _get(services: Services, ticket_id: UUID) -> Ticket:
    async with services.uow() as uow:
        found = await uow.tickets.get(ticket_id)
    assert found is not None
    return found


async def test_a_ticket_reads_back_with_its_clocks_lines_and_messages(
    services: Services, engine: AsyncEngine
) -> None:
    customer = await make_customer(engine)
    order = await make_order(engine, customer_id=customer, lines={"TEE-1": 2, "CAP-9": 1})
    clock = FixedClock(MONDAY)
    opened = await _open(
        services,
        clock,
        customer_id=customer,
        kind=TicketKind.RETURN,
        order_id=order,
        lines=[OrderLineRef("TEE-1", 1)],
    )
    clock.advance(hours=1)
    await reply_to_ticket(
        services.uow(),
        clock,
        ReplyToTicket(actor=AGENT, ticket_id=opened.id, body="Checking.", is_note=True),
    )

    stored = await _get(services, opened.id)

    assert stored.number == opened.number
    assert stored.kind is TicketKind.RETURN
    assert stored.order_id == order
    assert stored.lines == (OrderLineRef("TEE-1", 1),)
    assert stored.sla_clocks == opened.sla_clocks
    assert [(m.seq, m.is_note, m.author) for m in stored.messages] == [
        (1, False, AGENT),
        (2, True, AGENT),
    ]
    assert stored.version == 2


async def test_ticket_numbers_are_unique_and_increasing(
    services: Services, engine: AsyncEngine
) -> None:
    customer = await make_customer(engine)
    clock = FixedClock(MONDAY)
    numbers = [(await _open(services, clock, customer_id=customer)).number for _ in range(3)]
    assert numbers == sorted(set(numbers))
    assert len(numbers) == 3


async def test_saving_a_stale_ticket_is_refused_and_writes_nothing(
    services: Services, engine: AsyncEngine
) -> None:
    # Given a ticket read at version 1, then changed by someone else (version 2)
    customer = await make_customer(engine)
    clock = FixedClock(MONDAY)
    opened = await _open(services, clock, customer_id=customer)
    stale = await _get(services, opened.id)
    await transition_ticket(
        services.uow(),
        clock,
        TransitionTicket(actor=AGENT, ticket_id=opened.id, to=TicketStatus.IN_PROGRESS),
    )
    # When the stale copy is changed and saved against version 1
    stale.reply("Late answer", by=AGENT, is_note=False, now=clock.now(), sla=_sla())
    with pytest.raises(ConcurrentModification):
        async with services.uow() as uow:
            await uow.tickets.save(stale, 1)
    # Then neither the row nor the messages changed
    stored = await _get(services, opened.id)
    assert (stored.version, stored.status) == (2, TicketStatus.IN_PROGRESS)
    assert len(stored.messages) == 1


async def test_two_transactions_saving_the_same_version_one_wins_on_postgres(
    services: Services, engine: AsyncEngine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: two transactions cannot interleave")
    customer = await make_customer(engine)
    clock = FixedClock(MONDAY)
    opened = await _open(services, clock, customer_id=customer)
    first, second = services.uow(), services.uow()
    async with first, second:
        mine = await first.tickets.get(opened.id)
        theirs = await second.tickets.get(opened.id)
        assert mine is not None and theirs is not None
        mine.transition(TicketStatus.IN_PROGRESS, by=AGENT, now=clock.now(), sla=_sla())
        theirs.transition(TicketStatus.RESOLVED, by=AGENT, now=clock.now(), sla=_sla())
        await first.tickets.save(mine, 1)
        # The second UPDATE waits for the first transaction's row lock...
        blocked = asyncio.create_task(second.tickets.save(theirs, 1))
        await asyncio.sleep(0.2)
        assert not blocked.done()
        await first.commit()
        # ...and then finds no row at version 1.
        with pytest.raises(ConcurrentModification):
            await blocked
    stored = await _get(services, opened.id)
    assert (stored.status, stored.version) == (TicketStatus.IN_PROGRESS, 2)


async def test_breach_candidates_are_overdue_running_unflagged_and_earliest_first(
    services: Services, engine: AsyncEngine
) -> None:
    customer = await make_customer(engine)
    clock = FixedClock(MONDAY)
    normal = await _open(services, clock, customer_id=customer, priority=Priority.NORMAL)
    urgent = await _open(services, clock, customer_id=customer, priority=Priority.URGENT)
    waiting = await _open(services, clock, customer_id=customer, priority=Priority.URGENT)
    for to in (TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER):
        await transition_ticket(
            services.uow(), clock, TransitionTicket(actor=AGENT, ticket_id=waiting.id, to=to)
        )
    # URGENT first response is due 09:30; NORMAL (4 h) at 14:00, after the lunch break.
    async with services.uow() as uow:
        at_10 = await uow.tickets.find_breach_candidates(MONDAY + timedelta(hours=1), 10)
        at_14 = await uow.tickets.find_breach_candidates(MONDAY + timedelta(hours=5), 10)
        at_15 = await uow.tickets.find_breach_candidates(MONDAY + timedelta(hours=6), 10)
        limited = await uow.tickets.find_breach_candidates(MONDAY + timedelta(hours=6), 1)
    assert [t.id for t in at_10] == [urgent.id]
    assert [t.id for t in at_14] == [urgent.id]  # due exactly now is not missed yet
    assert [t.id for t in at_15] == [urgent.id, normal.id]
    assert [t.id for t in limited] == [urgent.id]

    clock.set(MONDAY + timedelta(hours=1))
    assert await flag_sla_breaches(services.uow(), clock) == 1
    assert await flag_sla_breaches(services.uow(), clock) == 0
    flagged = await _get(services, urgent.id)
    assert flagged.sla_clocks[SlaTarget.FIRST_RESPONSE].breach_flagged
    assert not flagged.sla_clocks[SlaTarget.RESOLUTION].breach_flagged


async def test_the_queue_columns_follow_the_clocks(services: Services, engine: AsyncEngine) -> None:
    customer = await make_customer(engine)
    clock = FixedClock(MONDAY)
    opened = await _open(services, clock, customer_id=customer, priority=Priority.HIGH)
    async with engine.connect() as conn:
        row = (await conn.execute(select(tickets).where(tickets.c.id == opened.id))).one()
    assert row.priority_rank == Priority.HIGH.rank
    assert row.queue_due_at == opened.next_due_at == row.first_response_due_at
    assert row.breach_check_at == opened.next_due_at
    # Waiting on the customer: nothing can breach, the queue still orders by the due time.
    for to in (TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER):
        await transition_ticket(
            services.uow(), clock, TransitionTicket(actor=AGENT, ticket_id=opened.id, to=to)
        )
    async with engine.connect() as conn:
        row = (await conn.execute(select(tickets).where(tickets.c.id == opened.id))).one()
    assert row.breach_check_at is None
    assert row.paused_at == MONDAY


async def test_one_ticket_per_source_event(services: Services, engine: AsyncEngine) -> None:
    customer = await make_customer(engine)
    clock = FixedClock(MONDAY)
    event_id = new_id()

    def review_ticket(number: int) -> Ticket:
        return Ticket.open(
            number=number,
            kind=TicketKind.REVIEW,
            subject="Negative review",
            body="Follow up.",
            customer_id=customer,
            order_id=None,
            lines=(),
            priority=Priority.NORMAL,
            opened_by=Actor.system(event_id),
            now=clock.now(),
            sla=_sla(),
            source_event_id=event_id,
        )

    first = review_ticket(5001)
    async with services.uow() as uow:
        await uow.tickets.add(first)
        await uow.commit()
    async with services.uow() as uow:
        found = await uow.tickets.find_by_source_event(event_id)
        assert found is not None and found.id == first.id
        assert found.messages[0].author == Actor.system(event_id)
        assert await uow.tickets.find_by_source_event(new_id()) is None
    with pytest.raises(IntegrityError):
        async with services.uow() as uow:
            await uow.tickets.add(review_ticket(5002))


async def test_events_of_a_ticket_read_back_are_published(
    services: Services, engine: AsyncEngine
) -> None:
    # Ids read from PostgreSQL come as asyncpg's UUID subclass; payloads must still encode.
    customer = await make_customer(engine)
    clock = FixedClock(MONDAY)
    opened = await _open(services, clock, customer_id=customer)
    async with services.broadcast.subscribe("tickets.transitioned") as stream:
        await transition_ticket(
            services.uow(),
            clock,
            TransitionTicket(actor=AGENT, ticket_id=opened.id, to=TicketStatus.IN_PROGRESS),
        )
        payload = await asyncio.wait_for(anext(aiter(stream)), 5)
    assert payload["ticket_id"] == str(opened.id)
    assert payload["customer_id"] == str(customer)
    assert (payload["from_status"], payload["to_status"]) == ("OPEN", "IN_PROGRESS")


async def test_moving_tickets_to_another_customer_bumps_their_versions(
    services: Services, engine: AsyncEngine
) -> None:
    loser, winner = await make_customer(engine), await make_customer(engine)
    clock = FixedClock(MONDAY)
    ids = sorted([(await _open(services, clock, customer_id=loser)).id for _ in range(2)])
    async with services.uow() as uow:
        assert await uow.tickets.ticket_ids_of_customer(loser) == ids
        assert await uow.tickets.move_to_customer(ids, winner) == 2
        assert await uow.tickets.move_to_customer([], winner) == 0
        await uow.commit()
    async with services.uow() as uow:
        assert await uow.tickets.ticket_ids_of_customer(loser) == []
        assert await uow.tickets.ticket_ids_of_customer(winner) == ids
    moved = await _get(services, ids[0])
    assert (moved.customer_id, moved.version) == (winner, 2)


async def test_messages_are_only_ever_appended(services: Services, engine: AsyncEngine) -> None:
    customer = await make_customer(engine)
    clock = FixedClock(MONDAY)
    opened = await _open(services, clock, customer_id=customer)
    for body in ("one", "two"):
        await reply_to_ticket(
            services.uow(), clock, ReplyToTicket(actor=AGENT, ticket_id=opened.id, body=body)
        )
    async with engine.connect() as conn:
        seqs = (
            await conn.execute(
                select(ticket_messages.c.seq, ticket_messages.c.body)
                .where(ticket_messages.c.ticket_id == opened.id)
                .order_by(ticket_messages.c.seq)
            )
        ).all()
        total = (await conn.execute(select(func.count()).select_from(ticket_messages))).scalar()
    assert [tuple(r) for r in seqs] == [(1, "It has been a week."), (2, "one"), (3, "two")]
    assert total == 3


def _sla() -> SlaPolicy:
    return standard_ticket_settings("UTC").sla


async def test_a_pause_over_a_weekend_survives_the_round_trips(
    services: Services, engine: AsyncEngine
) -> None:
    # Friday 17:00 open; waiting on the customer from 17:30; the customer answers Monday
    # 10:00. Stored and reloaded at every step, the clocks match the same story in memory.
    customer = await make_customer(engine)
    friday = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
    clock = FixedClock(friday)
    opened = await _open(services, clock, customer_id=customer)
    in_memory = await _get(services, opened.id)
    clock.set(friday + timedelta(minutes=30))
    for to in (TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER):
        await transition_ticket(
            services.uow(), clock, TransitionTicket(actor=AGENT, ticket_id=opened.id, to=to)
        )
        in_memory.transition(to, by=AGENT, now=clock.now(), sla=_sla())
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=UTC))
    customer_actor = Actor.customer(customer)
    await reply_to_ticket(
        services.uow(),
        clock,
        ReplyToTicket(actor=customer_actor, ticket_id=opened.id, body="Here you go"),
    )
    in_memory.reply("Here you go", by=customer_actor, is_note=False, now=clock.now(), sla=_sla())

    stored = await _get(services, opened.id)
    assert stored.status is TicketStatus.IN_PROGRESS
    assert stored.paused_at is None
    assert stored.sla_clocks == in_memory.sla_clocks
    # 30 minutes on Friday and 1 hour on Monday were paused: NORMAL resolution (24 h) moves.
    resolution = stored.sla_clocks[SlaTarget.RESOLUTION]
    assert resolution.paused == timedelta(hours=1, minutes=30)
