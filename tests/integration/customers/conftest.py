"""Fixtures of the customers, orders and activity integration tests: real use cases on
SQL units of work, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.context import Services
from domain.customers.participants import Participants
from patronage.runtime import build_participants
from persistence.unit_of_work import SqlUnitOfWork
from tests.unit.fakes import FixedClock

MakeUow = Callable[[], SqlUnitOfWork]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def make_uow(services: Services) -> MakeUow:
    """A factory of fresh units of work, as the API gets from `services.uow`."""
    return services.uow


@pytest.fixture
def participants() -> Participants:
    return build_participants()
