"""Fakes of the domain ports, for use-case tests without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from domain.bus import EventHandlers, run_handlers
from domain.events import DomainEvent


class FixedClock:
    """A clock that tells the time it is set to, and moves only when told."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    def set(self, now: datetime) -> None:
        self._now = now


class FakeUnitOfWork:
    """Base of the context fakes: records commits and published events.

    Context fakes subclass it and add in-memory repositories as attributes. Repositories
    of a fake hold their data in the fake itself, so a rollback is not simulated:
    tests assert `committed` instead.
    """

    def __init__(self, handlers: EventHandlers | None = None) -> None:
        self.handlers = handlers or EventHandlers()
        self.committed = 0
        self.published: list[DomainEvent] = []
        self._new: list[DomainEvent] = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            await self.rollback()

    def emit(self, event: DomainEvent) -> None:
        self._new.append(event)

    def take_new_events(self) -> list[DomainEvent]:
        events, self._new = self._new, []
        return events

    async def commit(self) -> None:
        events = await run_handlers(self.handlers, self, self.take_new_events())
        self.committed += 1
        self.published.extend(events)

    async def rollback(self) -> None:
        self._new = []
