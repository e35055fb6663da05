"""The SQL unit of work: one connection and transaction per use case.

Only the unit of work commits. Events emitted during it are handed to the in-transaction
handlers of every context first (so, say, an order and the points it earns commit
together), then, after the commit, to the publisher (subscriptions, jobs). A rollback
drops them.

Publishing after the commit is at-most-once: if the process dies between the two, live
subscribers miss one update (they re-read on reconnect) and no state is lost, because
every job that must happen is also driven by durable state (scheduled campaigns, the
nightly run), not by the event alone. So there is no transactional outbox table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.bus import EventHandlers, run_handlers
from domain.events import DomainEvent
from domain.ports import Publisher
from persistence.access import SqlAlchemyApiKeyRepository, SqlAlchemyAuditLog
from persistence.db import SQLITE_BEGIN_IMMEDIATE

log = logging.getLogger(__name__)


class NullPublisher:
    """Publishes nothing (CLI one-offs and tests that do not listen)."""

    async def publish(self, events: object) -> None:
        return None


class SqlUnitOfWork:
    """Implements every context's UnitOfWork protocol on one SQL transaction."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        handlers: EventHandlers,
        publisher: Publisher,
        now: Callable[[], datetime],
    ) -> None:
        self._engine = engine
        self._handlers = handlers
        self._publisher = publisher
        self._now = now
        self._conn: AsyncConnection | None = None
        self._new: list[DomainEvent] = []
        self._done = False

    @property
    def connection(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._conn

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    async def __aenter__(self) -> Self:
        if self._conn is not None:
            raise RuntimeError("a unit of work is entered once")
        conn = await self._engine.connect()
        if self._engine.dialect.name == "sqlite":
            conn = await conn.execution_options(**{SQLITE_BEGIN_IMMEDIATE: True})
        await conn.begin()
        self._conn = conn
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            if not self._done:
                await self.rollback()
        finally:
            await conn.close()

    def emit(self, event: DomainEvent) -> None:
        self._new.append(event)

    def take_new_events(self) -> list[DomainEvent]:
        events, self._new = self._new, []
        return events

    async def commit(self) -> None:
        events = await run_handlers(self._handlers, self, self.take_new_events())
        await self.connection.commit()
        self._done = True
        if events:
            try:
                await self._publisher.publish(events)
            except Exception:
                # The data is committed; a lost live update must not fail the request.
                log.exception("publishing %d committed events failed", len(events))

    async def rollback(self) -> None:
        self._new = []
        self._done = True
        if self._conn is not None and self._conn.in_transaction():
            await self._conn.rollback()

    # Repositories: one line per context, each bound to this transaction's connection.
    @cached_property
    def api_keys(self) -> SqlAlchemyApiKeyRepository:
        return SqlAlchemyApiKeyRepository(self.connection)

    @cached_property
    def audit(self) -> SqlAlchemyAuditLog:
        return SqlAlchemyAuditLog(self.connection, self._now)
