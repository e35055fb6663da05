"""Dataloaders of segments: by id, live counts (one statement per batch), stored counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from api.context import Services
from api.loaders import BatchLoader
from api.segments.evaluation import evaluation
from domain.segments.model import Segment
from persistence.queries.segments.reads import live_counts, segments_by_id, stored_member_counts


class SegmentByIdLoader(BatchLoader[UUID, Segment | None]):
    fetch = staticmethod(segments_by_id)  # type: ignore[assignment]


class StoredMemberCountLoader(BatchLoader[UUID, int | None]):
    fetch = staticmethod(stored_member_counts)  # type: ignore[assignment]


class LiveCountLoader(BatchLoader[Segment, int | None]):
    """Keyed by segment: the live counts of a page of segments in one statement."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._evaluation = evaluation(services)

    async def _load(self, keys: Sequence[Segment]) -> list[int | None]:
        queries = {s.id: s.query for s in keys if s.query is not None}
        found: Mapping[UUID, int] = {}
        if queries:
            async with self._services.read() as conn:
                found = await live_counts(conn, queries, self._evaluation)
        return [found.get(s.id) for s in keys]
