"""The saved segment aggregate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from uuid import UUID

from domain.events import DomainEvent
from domain.ids import new_id
from domain.segments.catalog import DEFAULT_CATALOG, AttributeCatalog
from domain.segments.errors import InvalidSegment, SegmentQueryBroken, SegmentQueryError
from domain.segments.events import SegmentCreated, SegmentDeleted, SegmentUpdated
from domain.segments.language import parse
from domain.segments.syntax import Expr

# The width of the segments.name and .name_key columns; the key is the lower-cased name,
# and lower-casing can lengthen a text ('İ' becomes 'i' and a combining dot), so both count.
MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 2_000


class SegmentStatus(Enum):
    """Whether a saved query still parses against the current attribute catalog."""

    VALID = "VALID"
    INVALID = "INVALID"


@dataclass(eq=False)
class Segment:
    """A named, saved query. The query is parsed on save (an invalid one is refused) and
    again on load (`Segment.restore`): a query that no longer parses, e.g. after an
    attribute was retired, makes the segment INVALID with its `problem`, never a crash."""

    id: UUID
    name: str
    query_text: str
    description: str
    created_at: datetime
    updated_at: datetime
    query: Expr | None = None
    problem: SegmentQueryError | None = None
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def create(
        cls,
        *,
        name: str,
        query: str,
        description: str = "",
        now: datetime,
        catalog: AttributeCatalog = DEFAULT_CATALOG,
    ) -> Segment:
        """A new segment; refuses a bad name/description or a query that does not parse."""
        segment = cls(
            id=new_id(),
            name=_checked_name(name),
            query_text=query,
            description=_checked_description(description),
            created_at=now,
            updated_at=now,
            query=parse(query, catalog),
        )
        segment.events.append(
            SegmentCreated(segment_id=segment.id, segment_name=segment.name, query=query)
        )
        return segment

    @classmethod
    def restore(
        cls,
        *,
        id: UUID,
        name: str,
        query_text: str,
        description: str,
        created_at: datetime,
        updated_at: datetime,
        catalog: AttributeCatalog = DEFAULT_CATALOG,
    ) -> Segment:
        """Rebuild a stored segment (for repositories); a broken query is kept, reported."""
        segment = cls(id, name, query_text, description, created_at, updated_at)
        try:
            segment.query = parse(query_text, catalog)
        except SegmentQueryError as problem:
            segment.problem = problem
        return segment

    @property
    def status(self) -> SegmentStatus:
        return SegmentStatus.VALID if self.problem is None else SegmentStatus.INVALID

    def require_query(self) -> Expr:
        """The parsed query; raises SegmentQueryBroken when it no longer parses."""
        if self.query is None:
            reason = self.problem.message if self.problem else "query missing"
            raise SegmentQueryBroken(
                f"segment '{self.name}' has a query that no longer parses: {reason}",
                field=("query",),
            )
        return self.query

    def revise(
        self,
        *,
        now: datetime,
        name: str | None = None,
        query: str | None = None,
        description: str | None = None,
        catalog: AttributeCatalog = DEFAULT_CATALOG,
    ) -> tuple[str, ...]:
        """Change what is given; returns the changed field names (empty when nothing did).

        A new query is parsed first, so a refused revision changes nothing; giving a
        valid query is how an INVALID segment is repaired.
        """
        changed: list[str] = []
        parsed = parse(query, catalog) if query is not None else None
        new_name = _checked_name(name) if name is not None else None
        new_description = _checked_description(description) if description is not None else None
        if new_name is not None and new_name != self.name:
            self.name = new_name
            changed.append("name")
        if parsed is not None and query is not None and query != self.query_text:
            self.query_text, self.query, self.problem = query, parsed, None
            changed.append("query")
        if new_description is not None and new_description != self.description:
            self.description = new_description
            changed.append("description")
        if changed:
            self.updated_at = now
            self.events.append(
                SegmentUpdated(segment_id=self.id, fields=tuple(changed), query=self.query_text)
            )
        return tuple(changed)

    def mark_deleted(self) -> None:
        """Record that the segment is being deleted."""
        self.events.append(SegmentDeleted(segment_id=self.id, segment_name=self.name))

    def take_events(self) -> list[DomainEvent]:
        events, self.events = self.events, []
        return events


def name_key(name: str) -> str:
    """The case-insensitive key of a segment name: names are unique by it."""
    return name.strip().lower()


def _checked_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise InvalidSegment("a segment needs a name", field=("name",))
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidSegment(
            f"a segment name has at most {MAX_NAME_LENGTH} characters", field=("name",)
        )
    if len(name_key(cleaned)) > MAX_NAME_LENGTH:
        raise InvalidSegment(
            f"a segment name has at most {MAX_NAME_LENGTH} characters once lower-cased "
            "(some letters, such as 'İ', lower-case to two)",
            field=("name",),
        )
    return cleaned


def _checked_description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidSegment(
            f"a description has at most {MAX_DESCRIPTION_LENGTH} characters",
            field=("description",),
        )
    return description
