"""Builders of customers-context inputs, with explicit keywords."""

from __future__ import annotations

from typing import Any

from domain.bus import EventHandlers
from domain.customers.commands import CreateCustomer, IdentityInput, MergeCustomers, ProfileFields
from domain.customers.merge import Merge
from domain.customers.merging import merge_customers
from domain.customers.model import Customer
from domain.customers.participants import Participants
from domain.customers.participation import register_participants
from domain.customers.services import create_customer
from tests.unit.customers.fakes import FakeCustomersUnitOfWork
from tests.unit.fakes import FixedClock


def create_command(
    *, email: str | None = None, identities: tuple[tuple[str, str], ...] = (), **profile: Any
) -> CreateCustomer:
    return CreateCustomer(
        profile=ProfileFields(email=email, **profile),
        identities=tuple(IdentityInput(channel=c, external_id=e) for c, e in identities),
    )


async def make_customer(
    uow: FakeCustomersUnitOfWork,
    clock: FixedClock,
    *,
    email: str | None = None,
    identities: tuple[tuple[str, str], ...] = (),
    **profile: Any,
) -> Customer:
    return await create_customer(
        uow, clock, create_command(email=email, identities=identities, **profile)
    )


def customers_participants() -> Participants:
    participants = Participants()
    register_participants(participants)
    return participants


async def merge(
    uow: FakeCustomersUnitOfWork,
    clock: FixedClock,
    participants: Participants,
    *,
    loser: Customer,
    winner: Customer,
) -> Merge:
    outcome = await merge_customers(
        uow,
        clock,
        participants,
        MergeCustomers(loser_id=loser.id, winner_id=winner.id, actor="admin:test"),
    )
    assert outcome.merge is not None
    return outcome.merge


def new_uow(handlers: EventHandlers | None = None) -> FakeCustomersUnitOfWork:
    return FakeCustomersUnitOfWork(handlers)
