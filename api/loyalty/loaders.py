"""Dataloaders of loyalty: member status per customer, ledger and tier history pages,
lots per entry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.dataloader import DataLoader

from api.context import Services
from api.loaders import BatchLoader, PagedLoader
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.tiers import Tier
from patronage.loyalty import loyalty_program
from persistence.queries.loyalty import (
    LotUseView,
    MembershipStatusView,
    PointsStatusView,
    entries_by_id,
    lot_uses_by_entry,
    membership_statuses,
    points_statuses,
    tier_history_counts_by_customer,
    tier_history_pages_by_customer,
    tiers_by_id,
    transaction_counts_by_customer,
    transaction_pages_by_customer,
)

StatusFetch = Callable[
    [AsyncConnection, Sequence[UUID], LoyaltyProgram, datetime], Awaitable[Mapping[UUID, Any]]
]


class MemberStatusLoader(DataLoader[tuple[str, UUID], Any]):
    """Member status by (part, customer id), part MEMBERSHIP or POINTS.

    `Customer.membership` and `Customer.points` are resolved side by side, so their keys
    land in one batch: one connection reads both parts, as of the request's clock.
    """

    MEMBERSHIP = "membership"
    POINTS = "points"
    _fetch: ClassVar[dict[str, StatusFetch]] = {
        MEMBERSHIP: membership_statuses,
        POINTS: points_statuses,
    }

    def __init__(self, services: Services) -> None:
        super().__init__(load_fn=self._load)
        self._services = services

    async def _load(self, keys: Sequence[tuple[str, UUID]]) -> list[Any]:
        services = self._services
        program = loyalty_program(services.settings)
        now = services.clock.now()
        wanted: dict[str, list[UUID]] = {}
        for part, customer_id in keys:
            wanted.setdefault(part, []).append(customer_id)
        found: dict[tuple[str, UUID], Any] = {}
        async with services.read() as conn:
            for part, ids in wanted.items():
                views = await self._fetch[part](conn, list(dict.fromkeys(ids)), program, now)
                found.update(((part, cid), view) for cid, view in views.items())
        return [found.get(key) for key in keys]


class TransactionPagesByCustomerLoader(PagedLoader):
    """Keyed by (customer id, page request)."""

    fetch_pages = staticmethod(transaction_pages_by_customer)


class TransactionCountByCustomerLoader(PagedLoader):
    """Keyed by (customer id,)."""

    fetch_pages = staticmethod(transaction_counts_by_customer)
    default = 0


class TierHistoryPagesByCustomerLoader(PagedLoader):
    """Keyed by (customer id, page request)."""

    fetch_pages = staticmethod(tier_history_pages_by_customer)


class TierHistoryCountByCustomerLoader(PagedLoader):
    """Keyed by (customer id,)."""

    fetch_pages = staticmethod(tier_history_counts_by_customer)
    default = 0


class LotUsesByEntryLoader(BatchLoader[UUID, list[LotUseView]]):
    fetch = staticmethod(lot_uses_by_entry)  # type: ignore[assignment]
    many = True


class PointsTransactionByIdLoader(BatchLoader[UUID, Any]):
    fetch = staticmethod(entries_by_id)  # type: ignore[assignment]


class TierByIdLoader(BatchLoader[UUID, Tier | None]):
    fetch = staticmethod(tiers_by_id)  # type: ignore[assignment]


__all__ = [
    "LotUsesByEntryLoader",
    "MemberStatusLoader",
    "MembershipStatusView",
    "PointsStatusView",
    "PointsTransactionByIdLoader",
    "TierByIdLoader",
    "TierHistoryCountByCustomerLoader",
    "TierHistoryPagesByCustomerLoader",
    "TransactionCountByCustomerLoader",
    "TransactionPagesByCustomerLoader",
]
