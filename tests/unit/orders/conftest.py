from __future__ import annotations

import pytest

from tests.unit.fakes import FixedClock
from tests.unit.orders.fakes import FakeOrdersUnitOfWork


@pytest.fixture
def uow() -> FakeOrdersUnitOfWork:
    return FakeOrdersUnitOfWork()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()
