"""The Merge record and its preview: what moved, so a merge can be undone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.customers.errors import CustomerIsErased, MergeAlreadyUndone, MergeSuperseded
from domain.customers.model import Customer

Moved = Mapping[str, tuple[UUID, ...]]
"""Ids of the records one participant moved, per kind ({"orders": (id, ...)})."""


@dataclass(frozen=True, kw_only=True)
class MergePreviewPart:
    """One participant's answer to a dry run: counts per kind that would move, blockers."""

    participant: str
    moves: Mapping[str, int]
    blockers: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MergePreview:
    """What a merge of `loser_id` into `winner_id` would move, and what blocks it."""

    loser_id: UUID
    winner_id: UUID
    parts: tuple[MergePreviewPart, ...]

    @property
    def moves(self) -> dict[str, int]:
        """Counts per kind over every participant."""
        totals: dict[str, int] = {}
        for part in self.parts:
            for kind, count in part.moves.items():
                totals[kind] = totals.get(kind, 0) + count
        return totals

    @property
    def blockers(self) -> tuple[str, ...]:
        return tuple(blocker for part in self.parts for blocker in part.blockers)


@dataclass(eq=False, kw_only=True)
class Merge:
    """A done merge: who into whom, by whom, and the ids each participant moved."""

    id: UUID
    loser_id: UUID
    winner_id: UUID
    actor: str
    created_at: datetime
    moved: dict[str, Moved] = field(default_factory=dict)
    undone_at: datetime | None = None

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    def involves(self, customer_id: UUID) -> bool:
        return customer_id in (self.loser_id, self.winner_id)

    def undo(
        self, *, loser: Customer, winner: Customer, later: Sequence[Merge], now: datetime
    ) -> None:
        """Mark the merge undone, if nothing newer depends on it.

        The rule: a merge can be undone once; not when the loser or the winner has been
        erased; and not while a later, not undone, merge involves either customer (the
        winner merged on, or another customer merged into it): undo merges newest first.
        """
        if self.is_undone:
            raise MergeAlreadyUndone(f"merge {self.id} was already undone", field=("mergeId",))
        for customer in (loser, winner):
            if customer.is_erased:
                raise CustomerIsErased(
                    f"customer {customer.id} was erased; the merge cannot be undone",
                    field=("mergeId",),
                )
        newer = [
            m
            for m in later
            if not m.is_undone and (m.involves(self.loser_id) or m.involves(self.winner_id))
        ]
        if newer:
            raise MergeSuperseded(
                f"merge {newer[0].id} came later and involves the same customers; undo it first",
                field=("mergeId",),
            )
        self.undone_at = now
