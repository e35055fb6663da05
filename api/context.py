"""What a request's resolvers can reach: the caller, the services, per-request loaders.

Strawberry resolves sibling fields and loader batches concurrently, so nothing here
holds a shared database session: writes open a unit of work each, reads open a
connection each (`services.read()`), loaders one per batch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from api.principal import Principal
from api.tokens import CustomerTokens
from domain.bus import EventHandlers
from domain.customers.participants import Participants
from domain.ports import Clock, Publisher
from patronage.pubsub import Broadcast
from patronage.settings import Settings
from persistence.idempotency import SqlIdempotencyStore
from persistence.unit_of_work import SqlUnitOfWork

L = TypeVar("L", bound=DataLoader[Any, Any])


@dataclass
class Services:
    """Long-lived collaborators, made once per process by the composition root."""

    settings: Settings
    engine: AsyncEngine
    handlers: EventHandlers
    publisher: Publisher
    broadcast: Broadcast
    clock: Clock
    idempotency: SqlIdempotencyStore
    tokens: CustomerTokens
    broker_ping: Callable[[], Awaitable[bool]]
    # Merge participants and data exporters of every context (see build_participants).
    participants: Participants = field(default_factory=Participants)
    # Enqueues an actor by name with keyword arguments (the composition root's broker);
    # None where no broker is wired (then long work cannot be started from here).
    send_job: Callable[..., None] | None = None

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work (enter it with `async with`)."""
        return SqlUnitOfWork(
            self.engine,
            handlers=self.handlers,
            publisher=self.publisher,
            now=self.clock.now,
            store_timezone=self.settings.store_timezone,
            base_currency=self.settings.base_currency,
        )

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one read (no transaction is kept open after it)."""
        async with self.engine.connect() as conn:
            yield conn


@dataclass
class Context:
    """The per-request GraphQL context."""

    services: Services
    request: Request | WebSocket
    principal: Principal | None
    request_id: str
    connection_params: Any = None
    _loaders: dict[type[Any], Any] = field(default_factory=dict)

    def loader(self, loader_class: type[L]) -> L:
        """The request's instance of a dataloader class (made on first use)."""
        loader = self._loaders.get(loader_class)
        if loader is None:
            loader = loader_class(self.services)  # type: ignore[call-overload]
            self._loaders[loader_class] = loader
        return loader

    def forget_loaded(self) -> None:
        """Empty the caches of the request's loaders: what they hold may have been written
        since (by the mutation before this one, or before this subscription event)."""
        for loader in self._loaders.values():
            loader.clear_all()
