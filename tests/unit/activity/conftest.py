from __future__ import annotations

import pytest

from domain.activity.participation import register_handlers
from domain.bus import EventHandlers
from tests.unit.activity.fakes import FakeActivityUnitOfWork
from tests.unit.fakes import FixedClock


@pytest.fixture
def uow() -> FakeActivityUnitOfWork:
    handlers = EventHandlers()
    register_handlers(handlers)
    return FakeActivityUnitOfWork(handlers)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()
