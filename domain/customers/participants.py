"""Hooks by which every context takes part in merges and exports of customers.

A context that holds records of customers implements a `MergeParticipant` (moving its
records from the loser to the winner, and back on undo) and a `DataExporter` (its part of
a privacy export), and registers them with `register_participants(participants)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol
from uuid import UUID

from domain.customers.json_values import JsonValue
from domain.customers.merge import MergePreviewPart, Moved


class MergeParticipant(Protocol):
    """Moves one context's records of a customer during a merge.

    `uow` is the composed unit of work of the merge, which has the repositories of every
    registered participant; each participant types it as its own context's protocol.
    All three methods run inside the merge's transaction.
    """

    @property
    def name(self) -> str:
        """A stable key of the participant ("orders"); it keys `Merge.moved`."""
        ...

    async def preview(self, uow: Any, loser_id: UUID, winner_id: UUID) -> MergePreviewPart:
        """Counts per kind that would move, and reasons that block the merge."""
        ...

    async def apply(self, uow: Any, loser_id: UUID, winner_id: UUID) -> Moved:
        """Move the loser's records to the winner; return the moved ids per kind."""
        ...

    async def undo(self, uow: Any, loser_id: UUID, winner_id: UUID, moved: Moved) -> None:
        """Move back those of `moved` that the winner still holds."""
        ...


class DataExporter(Protocol):
    """Contributes one section to a customer's privacy export."""

    @property
    def name(self) -> str:
        """The key of the section in the export ("orders")."""
        ...

    async def export(self, uow: Any, customer_id: UUID) -> JsonValue:
        """Everything this context holds about the customer, JSON-friendly."""
        ...


class Participants:
    """The registry of merge participants and exporters, filled at start-up."""

    def __init__(self) -> None:
        self._merge: dict[str, MergeParticipant] = {}
        self._exporters: dict[str, DataExporter] = {}

    def add_merge_participant(self, participant: MergeParticipant) -> None:
        if participant.name in self._merge:
            raise ValueError(f"merge participant {participant.name!r} is already registered")
        self._merge[participant.name] = participant

    def add_exporter(self, exporter: DataExporter) -> None:
        if exporter.name in self._exporters:
            raise ValueError(f"exporter {exporter.name!r} is already registered")
        self._exporters[exporter.name] = exporter

    def merge_participants(self) -> Iterator[MergeParticipant]:
        """In registration order (undo runs them in reverse)."""
        return iter(list(self._merge.values()))

    def exporters(self) -> Iterator[DataExporter]:
        return iter(list(self._exporters.values()))
