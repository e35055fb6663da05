"""Dataloaders of segments: by id, live counts (one statement per batch), stored counts."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from api.context import Services
from api.loaders import BatchLoader
from api.segments.evaluation import evaluation
from domain.segments.model import Segment
from persistence.queries.segments.reads import live_counts, segments_by_id, stored_member_counts

log = logging.getLogger(__name__)


class SegmentByIdLoader(BatchLoader[UUID, Segment | None]):
    fetch = staticmethod(segments_by_id)  # type: ignore[assignment]


class StoredMemberCountLoader(BatchLoader[UUID, int | None]):
    fetch = staticmethod(stored_member_counts)  # type: ignore[assignment]


class LiveCountFailed(Exception):
    """Raised (for one segment's `count`) when the database refused its query."""


class LiveCountLoader(BatchLoader[Segment, int | None]):
    """Keyed by segment: the live counts of a page of segments in one statement.

    When that statement fails, each segment is counted on its own, so one segment whose
    SQL fails has its `count` null with an error, and the others still have theirs."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._evaluation = evaluation(services)

    async def _load(self, keys: Sequence[Segment]) -> list[int | Exception | None]:  # type: ignore[override]
        queries = {s.id: s.query for s in keys if s.query is not None}
        found: Mapping[UUID, int | Exception] = {}
        if queries:
            try:
                async with self._services.read() as conn:
                    found = await live_counts(conn, queries, self._evaluation)
            except Exception:
                log.warning("live counts of %d segments failed; counting each", len(queries))
                found = {key: await self._one(key, query) for key, query in queries.items()}
        return [found.get(s.id) for s in keys]

    async def _one(self, segment_id: UUID, query: Any) -> int | Exception:
        try:
            async with self._services.read() as conn:
                return (await live_counts(conn, {segment_id: query}, self._evaluation))[segment_id]
        except Exception:
            log.exception("live count of segment %s failed", segment_id)
            return LiveCountFailed("the live count of this segment failed (see the server log)")
