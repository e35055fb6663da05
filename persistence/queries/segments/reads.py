"""Read side of saved segments: the list, loader batches, live and stored counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.segments.model import Segment
from persistence.queries.segments.compiler import compile_query
from persistence.segments import segment_from_row
from persistence.tables.segments import segment_members, segments


@dataclass(frozen=True)
class Evaluation:
    """What a query is evaluated against: the store's date, zone and currency unit."""

    as_of: date
    zone: tzinfo
    currency_exponent: int = 2


def segments_list(*, name_contains: str | None = None) -> tuple[Select[Any], list[Any]]:
    """The statement and keyset sort keys of the segment list (oldest first)."""
    statement = select(segments)
    if name_contains:
        pattern = "%" + name_contains.lower().replace("%", r"\%").replace("_", r"\_") + "%"
        statement = statement.where(segments.c.name_key.like(pattern, escape="\\"))
    return statement, [segments.c.created_at, segments.c.id]


async def segments_by_id(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, Segment]:
    rows = (await conn.execute(select(segments).where(segments.c.id.in_(list(ids))))).all()
    return {row.id: segment_from_row(row) for row in rows}


async def live_counts(
    conn: AsyncConnection, queries: dict[UUID, Any], evaluation: Evaluation
) -> dict[UUID, int]:
    """The live count of each parsed query, in ONE statement (a scalar subquery each)."""
    if not queries:
        return {}
    keys = list(queries)
    columns = [
        compile_query(
            queries[key],
            as_of=evaluation.as_of,
            zone=evaluation.zone,
            currency_exponent=evaluation.currency_exponent,
        )
        .count()
        .scalar_subquery()
        .label(f"n{index}")
        for index, key in enumerate(keys)
    ]
    row = (await conn.execute(select(*columns))).one()
    return {key: int(row[index]) for index, key in enumerate(keys)}


async def stored_member_counts(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, int]:
    """How many members the last re-evaluation stored, per segment."""
    statement = (
        select(segment_members.c.segment_id, func.count())
        .where(segment_members.c.segment_id.in_(list(ids)))
        .group_by(segment_members.c.segment_id)
    )
    return {row[0]: int(row[1]) for row in (await conn.execute(statement)).all()}
