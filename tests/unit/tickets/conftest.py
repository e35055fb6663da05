from __future__ import annotations

import pytest

from tests.unit.fakes import FixedClock
from tests.unit.tickets.builders import make_settings, paris
from tests.unit.tickets.fakes import FakeTicketsUnitOfWork


@pytest.fixture
def uow() -> FakeTicketsUnitOfWork:
    return FakeTicketsUnitOfWork(make_settings())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(paris(2026, 1, 15, 10))
