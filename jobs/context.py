"""What actors can reach, made once per worker event loop by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.bus import EventHandlers
from domain.customers.participants import Participants
from domain.ports import Clock, Publisher
from patronage.settings import Settings
from persistence.unit_of_work import SqlUnitOfWork


@dataclass
class JobServices:
    settings: Settings
    engine: AsyncEngine
    handlers: EventHandlers
    publisher: Publisher
    clock: Clock
    participants: Participants = field(default_factory=Participants)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.engine,
            handlers=self.handlers,
            publisher=self.publisher,
            now=self.clock.now,
            store_timezone=self.settings.store_timezone,
            base_currency=self.settings.base_currency,
        )


ServicesFactory = Callable[[], JobServices]
