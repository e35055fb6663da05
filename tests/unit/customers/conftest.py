from __future__ import annotations

import pytest

from domain.customers.participants import Participants
from tests.unit.customers.builders import customers_participants
from tests.unit.customers.fakes import FakeCustomersUnitOfWork
from tests.unit.fakes import FixedClock


@pytest.fixture
def uow() -> FakeCustomersUnitOfWork:
    return FakeCustomersUnitOfWork()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def participants() -> Participants:
    return customers_participants()
