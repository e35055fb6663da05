"""Ports of the scoring context."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from domain.ports import UnitOfWork
from domain.scoring.model import CustomerEngagement, CustomerScores


class ScoringRecords(Protocol):
    """Reads one customer's scores and engagement rows (privacy exports)."""

    async def scores_of(self, customer_id: UUID) -> CustomerScores | None:
        """The customer's scores, or None before the nightly run scored them."""
        ...

    async def engagement_of(self, customer_id: UUID) -> CustomerEngagement | None:
        """The customer's engagement, or None before a message of theirs was opened."""
        ...


class ScoringUnitOfWork(UnitOfWork, Protocol):
    """A transaction that reads scores."""

    @property
    def scoring(self) -> ScoringRecords: ...
