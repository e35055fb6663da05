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
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.bus import EventHandlers, run_handlers
from domain.events import DomainEvent
from domain.money import currency_exponent
from domain.ports import Publisher
from persistence.access import SqlAlchemyApiKeyRepository, SqlAlchemyAuditLog
from persistence.activity import SqlAlchemyActivityRepository
from persistence.background import SqlAlchemyJobRepository
from persistence.customers import (
    SqlAlchemyConsentRepository,
    SqlAlchemyCustomerRepository,
    SqlAlchemyMergeRepository,
)
from persistence.db import SQLITE_BEGIN_IMMEDIATE
from persistence.loyalty import (
    SqlAlchemyMembershipRepository,
    SqlAlchemyPointsAccountRepository,
    SqlAlchemyTicketOwners,
    SqlAlchemyTierRepository,
)
from persistence.orders import SqlAlchemyOrderRepository
from persistence.scoring import SqlAlchemyScoringRecords
from persistence.segments import (
    SqlAlchemySegmentMembershipRepository,
    SqlAlchemySegmentRepository,
)
from persistence.tags import SqlAlchemyRuleTagRepository, SqlAlchemyTagAssignmentRepository
from persistence.tickets import (
    ConfiguredTicketSettings,
    SqlAlchemyTicketRepository,
    SqlTicketAgentLookup,
    SqlTicketCustomerLookup,
    SqlTicketOrderLookup,
)

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
        store_timezone: str = "UTC",
        base_currency: str = "EUR",
    ) -> None:
        # The store's zone (SLA business hours, "days" in segments) and reporting
        # currency (money literals in segments), from Settings.
        self.store_timezone = store_timezone
        self.base_currency = base_currency
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

    @cached_property
    def background_jobs(self) -> SqlAlchemyJobRepository:
        return SqlAlchemyJobRepository(self.connection)

    @cached_property
    def customers(self) -> SqlAlchemyCustomerRepository:
        return SqlAlchemyCustomerRepository(self.connection)

    @cached_property
    def consents(self) -> SqlAlchemyConsentRepository:
        return SqlAlchemyConsentRepository(self.connection)

    @cached_property
    def merges(self) -> SqlAlchemyMergeRepository:
        return SqlAlchemyMergeRepository(self.connection)

    @cached_property
    def orders(self) -> SqlAlchemyOrderRepository:
        return SqlAlchemyOrderRepository(self.connection)

    @cached_property
    def activity(self) -> SqlAlchemyActivityRepository:
        return SqlAlchemyActivityRepository(self.connection)

    # Tickets.
    @cached_property
    def tickets(self) -> SqlAlchemyTicketRepository:
        return SqlAlchemyTicketRepository(self.connection)

    @cached_property
    def ticket_customers(self) -> SqlTicketCustomerLookup:
        return SqlTicketCustomerLookup(self.connection)

    @cached_property
    def ticket_orders(self) -> SqlTicketOrderLookup:
        return SqlTicketOrderLookup(self.connection)

    @cached_property
    def ticket_agents(self) -> SqlTicketAgentLookup:
        return SqlTicketAgentLookup(self.connection)

    @cached_property
    def ticket_settings(self) -> ConfiguredTicketSettings:
        return ConfiguredTicketSettings(self.store_timezone)

    # Segments and tags.
    @cached_property
    def segments(self) -> SqlAlchemySegmentRepository:
        return SqlAlchemySegmentRepository(self.connection)

    @cached_property
    def segment_memberships(self) -> SqlAlchemySegmentMembershipRepository:
        return SqlAlchemySegmentMembershipRepository(
            self.connection,
            zone=ZoneInfo(self.store_timezone),
            currency_exponent=currency_exponent(self.base_currency),
        )

    @cached_property
    def tag_assignments(self) -> SqlAlchemyTagAssignmentRepository:
        return SqlAlchemyTagAssignmentRepository(
            self.connection,
            self._now,
            zone=ZoneInfo(self.store_timezone),
            currency_exponent=currency_exponent(self.base_currency),
        )

    @cached_property
    def rule_tags(self) -> SqlAlchemyRuleTagRepository:
        return SqlAlchemyRuleTagRepository(self.connection)

    # Loyalty: tiers, memberships with their history, points ledger.
    @cached_property
    def tiers(self) -> SqlAlchemyTierRepository:
        return SqlAlchemyTierRepository(self.connection)

    @cached_property
    def memberships(self) -> SqlAlchemyMembershipRepository:
        return SqlAlchemyMembershipRepository(self.connection)

    @cached_property
    def points(self) -> SqlAlchemyPointsAccountRepository:
        return SqlAlchemyPointsAccountRepository(self.connection)

    @cached_property
    def ticket_owners(self) -> SqlAlchemyTicketOwners:
        return SqlAlchemyTicketOwners(self.connection)

    # Scoring: per-customer scores and engagement (read-only so far).
    @cached_property
    def scoring(self) -> SqlAlchemyScoringRecords:
        return SqlAlchemyScoringRecords(self.connection)
