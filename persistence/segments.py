"""Repositories of the segments context: saved segments and their stored membership."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, tzinfo
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    MetaData,
    Table,
    Uuid,
    delete,
    exists,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.segments.catalog import DEFAULT_CATALOG, AttributeCatalog
from domain.segments.errors import SegmentNameTaken
from domain.segments.model import Segment, name_key
from domain.segments.repository import MembershipChunk
from domain.segments.syntax import Expr
from persistence.queries.segments import compile_query
from persistence.tables.segments import segment_members, segments


def segment_from_row(row: Any, catalog: AttributeCatalog = DEFAULT_CATALOG) -> Segment:
    """A stored segment (its query parsed again: a broken one is reported, not raised)."""
    return Segment.restore(
        id=row.id,
        name=row.name,
        query_text=row.query,
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
        catalog=catalog,
    )


@asynccontextmanager
async def _unique_name(conn: AsyncConnection, name: str) -> AsyncIterator[None]:
    """A concurrent save of the same name loses on the unique key: the domain error."""
    try:
        async with conn.begin_nested():
            yield
    except IntegrityError as error:
        if "name_key" in str(error.orig):
            raise SegmentNameTaken(
                f"a segment named '{name}' already exists", field=("name",)
            ) from error
        raise


class SqlAlchemySegmentRepository:
    def __init__(self, conn: AsyncConnection, catalog: AttributeCatalog = DEFAULT_CATALOG) -> None:
        self._conn = conn
        self._catalog = catalog

    async def add(self, segment: Segment) -> None:
        async with _unique_name(self._conn, segment.name):
            await self._conn.execute(
                insert(segments).values(
                    id=segment.id, created_at=segment.created_at, **_values(segment)
                )
            )

    async def save(self, segment: Segment) -> None:
        async with _unique_name(self._conn, segment.name):
            await self._conn.execute(
                update(segments).where(segments.c.id == segment.id).values(**_values(segment))
            )

    async def get(self, segment_id: UUID) -> Segment | None:
        return await self._one(select(segments).where(segments.c.id == segment_id))

    async def get_for_update(self, segment_id: UUID) -> Segment | None:
        return await self._one(
            select(segments).where(segments.c.id == segment_id).with_for_update()
        )

    async def get_by_name(self, name: str) -> Segment | None:
        return await self._one(select(segments).where(segments.c.name_key == name_key(name)))

    async def delete(self, segment_id: UUID) -> None:
        await self._conn.execute(
            delete(segment_members).where(segment_members.c.segment_id == segment_id)
        )
        await self._conn.execute(delete(segments).where(segments.c.id == segment_id))

    async def all_ids(self) -> list[UUID]:
        statement = select(segments.c.id).order_by(segments.c.created_at, segments.c.id)
        return list((await self._conn.execute(statement)).scalars())

    async def _one(self, statement: Any) -> Segment | None:
        row = (await self._conn.execute(statement)).first()
        return segment_from_row(row, self._catalog) if row is not None else None


def _values(segment: Segment) -> dict[str, Any]:
    return {
        "name": segment.name,
        "name_key": name_key(segment.name),
        "query": segment.query_text,
        "description": segment.description,
        "updated_at": segment.updated_at,
    }


# The change of one re-evaluation, staged in a temporary table of this transaction.
_staging = MetaData()
segment_changes = Table(
    "tmp_segment_changes",
    _staging,
    Column("customer_id", Uuid, primary_key=True),
    Column("entered", Boolean, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


class SqlAlchemySegmentMembershipRepository:
    """Replaces a segment's stored members set-based, reporting the change in chunks."""

    def __init__(self, conn: AsyncConnection, *, zone: tzinfo, currency_exponent: int) -> None:
        self._conn = conn
        self._zone = zone
        self._exponent = currency_exponent

    async def replace_members(
        self, segment_id: UUID, query: Expr, as_of: date, *, chunk_size: int
    ) -> AsyncIterator[MembershipChunk]:
        """Stage who entered and who left (two INSERT ... SELECT), apply both, then page
        through the staged ids: nothing proportional to the segment's size reaches Python."""
        conn = self._conn
        await conn.execute(text(f"DROP TABLE IF EXISTS {segment_changes.name}"))
        await conn.run_sync(segment_changes.create)
        try:
            await self._stage(segment_id, query, as_of)
            await self._apply(segment_id)
            async for chunk in self._changes(chunk_size):
                yield chunk
        finally:
            await conn.execute(text(f"DROP TABLE IF EXISTS {segment_changes.name}"))

    async def _stage(self, segment_id: UUID, query: Expr, as_of: date) -> None:
        compiled = compile_query(
            query, as_of=as_of, zone=self._zone, currency_exponent=self._exponent
        )
        member = segment_members.alias("sm")
        customer = compiled.customer_id
        entered = (
            compiled.ids()
            .add_columns(literal(True, Boolean))
            .where(
                ~exists(
                    select(1)
                    .where(member.c.segment_id == segment_id, member.c.customer_id == customer)
                    .correlate_except(member)
                )
            )
        )
        await self._conn.execute(
            insert(segment_changes).from_select(["customer_id", "entered"], entered)
        )
        still = compiled.ids().where(customer == segment_members.c.customer_id)
        left = select(segment_members.c.customer_id, literal(False, Boolean)).where(
            segment_members.c.segment_id == segment_id, ~exists(still)
        )
        await self._conn.execute(
            insert(segment_changes).from_select(["customer_id", "entered"], left)
        )

    async def _apply(self, segment_id: UUID) -> None:
        changes = segment_changes.c
        await self._conn.execute(
            insert(segment_members).from_select(
                ["segment_id", "customer_id"],
                select(literal(segment_id, Uuid), changes.customer_id).where(changes.entered),
            )
        )
        await self._conn.execute(
            delete(segment_members).where(
                segment_members.c.segment_id == segment_id,
                segment_members.c.customer_id.in_(
                    select(changes.customer_id).where(~changes.entered)
                ),
            )
        )

    async def _changes(self, chunk_size: int) -> AsyncIterator[MembershipChunk]:
        changes = segment_changes.c
        after: UUID | None = None
        while True:
            statement = select(changes.customer_id, changes.entered).order_by(changes.customer_id)
            if after is not None:
                statement = statement.where(changes.customer_id > after)
            rows = (await self._conn.execute(statement.limit(chunk_size))).all()
            if not rows:
                return
            yield MembershipChunk(
                entered=tuple(row.customer_id for row in rows if row.entered),
                left=tuple(row.customer_id for row in rows if not row.entered),
            )
            after = rows[-1].customer_id
