"""The unit of work: only it commits; events are handled in-transaction, published after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.access.model import ApiKey, Role
from domain.bus import EventHandlers
from domain.events import DomainEvent
from patronage.clock import SystemClock
from persistence.tables.access import api_keys
from persistence.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True, kw_only=True)
class Happened(DomainEvent):
    name: ClassVar[str] = "test.happened"
    n: int


class RecordingPublisher:
    def __init__(self) -> None:
        self.published: list[DomainEvent] = []

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.published.extend(events)


def _uow(
    engine: AsyncEngine, publisher: RecordingPublisher, handlers: EventHandlers | None = None
) -> SqlUnitOfWork:
    return SqlUnitOfWork(
        engine, handlers=handlers or EventHandlers(), publisher=publisher, now=SystemClock().now
    )


def _key(name: str) -> ApiKey:
    return ApiKey.issue(name=name, role=Role.ADMIN, now=SystemClock().now()).key


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(api_keys))).scalar_one())


async def test_events_are_published_after_commit(engine: AsyncEngine) -> None:
    publisher = RecordingPublisher()
    async with _uow(engine, publisher) as uow:
        await uow.api_keys.add(_key("a"))
        uow.emit(Happened(n=1))
        assert publisher.published == []
        await uow.commit()
    assert publisher.published == [Happened(n=1)]
    assert await _count(engine) == 1


async def test_leaving_without_commit_rolls_back_and_drops_events(engine: AsyncEngine) -> None:
    publisher = RecordingPublisher()
    async with _uow(engine, publisher) as uow:
        await uow.api_keys.add(_key("b"))
        uow.emit(Happened(n=2))
    assert publisher.published == []
    assert await _count(engine) == 0


async def test_an_exception_rolls_back(engine: AsyncEngine) -> None:
    publisher = RecordingPublisher()
    with pytest.raises(RuntimeError):
        async with _uow(engine, publisher) as uow:
            await uow.api_keys.add(_key("c"))
            uow.emit(Happened(n=3))
            raise RuntimeError("boom")
    assert publisher.published == []
    assert await _count(engine) == 0


async def test_in_transaction_handlers_write_atomically_with_the_use_case(
    engine: AsyncEngine,
) -> None:
    publisher = RecordingPublisher()
    handlers = EventHandlers()

    async def add_another(event: Happened, uow: SqlUnitOfWork) -> None:
        await uow.api_keys.add(_key(f"from handler {event.n}"))
        if event.n == 1:
            uow.emit(Happened(n=2))

    handlers.on(Happened, add_another)
    async with _uow(engine, publisher, handlers) as uow:
        uow.emit(Happened(n=1))
        await uow.commit()
    assert await _count(engine) == 2
    assert publisher.published == [Happened(n=1), Happened(n=2)]


async def test_a_failing_handler_rolls_everything_back(engine: AsyncEngine) -> None:
    publisher = RecordingPublisher()
    handlers = EventHandlers()

    async def fail(event: Happened, uow: SqlUnitOfWork) -> None:
        raise ValueError("handler refused")

    handlers.on(Happened, fail)
    with pytest.raises(ValueError, match="handler refused"):
        async with _uow(engine, publisher, handlers) as uow:
            await uow.api_keys.add(_key("d"))
            uow.emit(Happened(n=1))
            await uow.commit()
    assert await _count(engine) == 0
    assert publisher.published == []


async def test_a_failing_publisher_does_not_undo_the_commit(engine: AsyncEngine) -> None:
    class Broken:
        async def publish(self, events: Sequence[DomainEvent]) -> None:
            raise ConnectionError("redis went away")

    uow = SqlUnitOfWork(engine, handlers=EventHandlers(), publisher=Broken(), now=SystemClock().now)
    async with uow:
        await uow.api_keys.add(_key("e"))
        uow.emit(Happened(n=5))
        await uow.commit()
    assert await _count(engine) == 1
