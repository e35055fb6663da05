"""Tickets in customer merges, and REVIEW tickets opened by negative reviews."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from domain.activity.events import ReviewPosted
from domain.bus import EventHandlers
from domain.customers.participants import MergeParticipant, Participants
from domain.ids import new_id
from domain.tickets.errors import UnknownCustomer
from domain.tickets.events import TicketCreated, TicketReplied
from domain.tickets.handlers import register_handlers
from domain.tickets.merge import TicketsMergeParticipant, register_participants
from domain.tickets.priority import Priority
from domain.tickets.values import ActorKind, TicketKind, TicketStatus
from tests.unit.fakes import FixedClock
from tests.unit.tickets.builders import make_settings, make_ticket, paris
from tests.unit.tickets.fakes import FakeTicketsUnitOfWork


async def test_a_merge_moves_the_losers_tickets_and_undo_moves_them_back(
    uow: FakeTicketsUnitOfWork,
) -> None:
    loser, winner = new_id(), new_id()
    for customer in (loser, loser, winner):
        await uow.tickets.add(make_ticket(now=paris(2026, 1, 15, 10), customer_id=customer))
    participant: MergeParticipant = TicketsMergeParticipant()

    preview = await participant.preview(uow, loser, winner)
    moved = await participant.apply(uow, loser, winner)

    assert preview.moves == {"tickets": 2}
    assert preview.blockers == ()
    assert len(moved["tickets"]) == 2
    assert await uow.tickets.ticket_ids_of_customer(loser) == []
    assert len(await uow.tickets.ticket_ids_of_customer(winner)) == 3

    await participant.undo(uow, loser, winner, moved)

    assert sorted(await uow.tickets.ticket_ids_of_customer(loser)) == sorted(moved["tickets"])
    assert len(await uow.tickets.ticket_ids_of_customer(winner)) == 1


def test_the_participant_registers_under_its_name() -> None:
    participants = Participants()

    register_participants(participants)

    assert [p.name for p in participants.merge_participants()] == ["tickets"]


def review(customer_id: UUID, *, rating: int, order_id: UUID | None = None) -> ReviewPosted:
    return ReviewPosted(
        event_id=new_id(),
        customer_id=customer_id,
        order_id=order_id,
        sku="TEE-1",
        rating=rating,
        occurred_at=datetime(2026, 1, 14, 20, tzinfo=UTC),
    )


@pytest.fixture
def wired() -> tuple[FakeTicketsUnitOfWork, FixedClock]:
    handlers = EventHandlers()
    clock = FixedClock(paris(2026, 1, 15, 10))
    register_handlers(handlers, clock=clock)
    return FakeTicketsUnitOfWork(make_settings(), handlers), clock


async def test_a_low_rating_opens_a_review_ticket_for_the_customer_and_order(
    wired: tuple[FakeTicketsUnitOfWork, FixedClock],
) -> None:
    uow, clock = wired
    customer_id, order_id = new_id(), new_id()
    uow.ticket_customers.add(customer_id, tier_code="PLATINUM")
    uow.ticket_orders.add(order_id, customer_id, {"TEE-1": 1})

    uow.emit(review(customer_id, rating=2, order_id=order_id))
    await uow.commit()

    [ticket] = uow.tickets.rows.values()
    assert (ticket.kind, ticket.status, ticket.customer_id, ticket.order_id) == (
        TicketKind.REVIEW,
        TicketStatus.OPEN,
        customer_id,
        order_id,
    )
    assert ticket.priority is Priority.HIGH
    assert ticket.created_at == clock.now()
    assert ticket.subject == "Negative review (2/5) on TEE-1"
    assert ticket.messages[0].author.kind is ActorKind.SYSTEM
    assert [type(e) for e in uow.published[1:]] == [TicketCreated, TicketReplied]


async def test_the_same_review_event_opens_only_one_ticket(
    wired: tuple[FakeTicketsUnitOfWork, FixedClock],
) -> None:
    uow, _ = wired
    customer_id = new_id()
    uow.ticket_customers.add(customer_id)
    event = review(customer_id, rating=1)

    uow.emit(event)
    await uow.commit()
    uow.emit(event)
    await uow.commit()

    assert len(uow.tickets.rows) == 1


@pytest.mark.parametrize("rating", [3, 4, 5])
async def test_a_fair_or_good_review_opens_no_ticket(
    wired: tuple[FakeTicketsUnitOfWork, FixedClock], rating: int
) -> None:
    uow, _ = wired
    customer_id = new_id()
    uow.ticket_customers.add(customer_id)

    uow.emit(review(customer_id, rating=rating))
    await uow.commit()

    assert uow.tickets.rows == {}


async def test_an_order_of_someone_else_is_not_linked_to_the_review_ticket(
    wired: tuple[FakeTicketsUnitOfWork, FixedClock],
) -> None:
    uow, _ = wired
    customer_id, order_id = new_id(), new_id()
    uow.ticket_customers.add(customer_id)
    uow.ticket_orders.add(order_id, new_id(), {"TEE-1": 1})

    uow.emit(review(customer_id, rating=1, order_id=order_id))
    await uow.commit()

    [ticket] = uow.tickets.rows.values()
    assert ticket.order_id is None


async def test_a_review_by_an_unknown_customer_fails_the_transaction(
    wired: tuple[FakeTicketsUnitOfWork, FixedClock],
) -> None:
    uow, _ = wired

    uow.emit(review(new_id(), rating=1))
    with pytest.raises(UnknownCustomer):
        await uow.commit()

    assert uow.committed == 0
