"""Ports the use cases depend on; persistence and the composition root implement them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from domain.events import DomainEvent


class Clock(Protocol):
    """Tells the current time (timezone-aware, UTC)."""

    def now(self) -> datetime: ...


class Publisher(Protocol):
    """Publishes committed domain events to subscribers and job queues."""

    async def publish(self, events: Sequence[DomainEvent]) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: only it commits; events it collected are published after commit.

    Contexts extend this protocol with the repositories they need, for example
    `class CustomersUnitOfWork(UnitOfWork, Protocol): customers: CustomerRepository`.
    """

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    def emit(self, event: DomainEvent) -> None:
        """Collect an event; it is handled in-transaction and published after commit."""
        ...
