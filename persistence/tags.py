"""Repositories of the tags context: tag assignments and rule tag definitions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo
from typing import Any
from uuid import UUID

from sqlalchemy import delete, exists, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.segments.syntax import Expr
from domain.tags.model import RuleTag, Tag, TagAssignment, TagKind
from domain.tags.repository import TagBatch
from persistence.dialect import insert_for
from persistence.queries.segments import compile_query, count_matching
from persistence.tables.customers import customers
from persistence.tables.segments import segment_members
from persistence.tables.tags import customer_tags, rule_tags

MANUAL = "MANUAL"
RULE = "RULE"


def _rowcount(result: Any) -> int:
    return max(int(result.rowcount or 0), 0)


class SqlAlchemyTagAssignmentRepository:
    """Manual and rule tags of customers: one row per (customer, tag)."""

    def __init__(
        self,
        conn: AsyncConnection,
        now: Callable[[], datetime],
        *,
        zone: tzinfo,
        currency_exponent: int,
    ) -> None:
        self._conn = conn
        self._now = now
        self._zone = zone
        self._exponent = currency_exponent

    async def existing_customers(self, customer_ids: Sequence[UUID]) -> set[UUID]:
        statement = select(customers.c.id).where(
            customers.c.id.in_(list(customer_ids)),
            customers.c.merged_into.is_(None),
            customers.c.erased_at.is_(None),
        )
        return set((await self._conn.execute(statement)).scalars())

    async def add_manual(self, customer_ids: Sequence[UUID], tags: Sequence[Tag]) -> int:
        if not customer_ids or not tags:
            return 0
        now = self._now()
        rows = [
            {"customer_id": customer_id, "tag": tag.value, "kind": MANUAL, "created_at": now}
            for customer_id in customer_ids
            for tag in tags
        ]
        statement = insert_for(self._conn.dialect.name, customer_tags).values(rows)
        result = await self._conn.execute(statement.on_conflict_do_nothing())
        return _rowcount(result)

    async def remove_manual(self, customer_ids: Sequence[UUID], tags: Sequence[Tag]) -> int:
        if not customer_ids or not tags:
            return 0
        result = await self._conn.execute(
            delete(customer_tags).where(
                customer_tags.c.customer_id.in_(list(customer_ids)),
                customer_tags.c.tag.in_([tag.value for tag in tags]),
                customer_tags.c.kind == MANUAL,
            )
        )
        return _rowcount(result)

    async def count_matching(self, query: Expr, as_of: date) -> int:
        return await count_matching(
            self._conn, query, as_of=as_of, zone=self._zone, currency_exponent=self._exponent
        )

    async def add_manual_where(
        self, query: Expr, as_of: date, tags: Sequence[Tag], *, after: UUID | None, limit: int
    ) -> TagBatch:
        ids = await self._next_batch(query, as_of, after, limit)
        return TagBatch(ids, await self.add_manual(ids, tags))

    async def remove_manual_where(
        self, query: Expr, as_of: date, tags: Sequence[Tag], *, after: UUID | None, limit: int
    ) -> TagBatch:
        ids = await self._next_batch(query, as_of, after, limit)
        return TagBatch(ids, await self.remove_manual(ids, tags))

    async def _next_batch(
        self, query: Expr, as_of: date, after: UUID | None, limit: int
    ) -> tuple[UUID, ...]:
        """The next `limit` matching ids in id order (a keyset page of the query)."""
        compiled = compile_query(
            query, as_of=as_of, zone=self._zone, currency_exponent=self._exponent
        )
        statement = compiled.ids()
        if after is not None:
            statement = statement.where(compiled.customer_id > after)
        statement = statement.order_by(compiled.customer_id).limit(limit)
        return tuple((await self._conn.execute(statement)).scalars())

    async def manual_tags_of(self, customer_id: UUID) -> frozenset[Tag]:
        statement = select(customer_tags.c.tag).where(
            customer_tags.c.customer_id == customer_id, customer_tags.c.kind == MANUAL
        )
        return frozenset(Tag(tag) for tag in (await self._conn.execute(statement)).scalars())

    async def assignments_of(self, customer_id: UUID) -> Sequence[TagAssignment]:
        statement = (
            select(customer_tags, rule_tags.c.segment_id)
            .outerjoin(
                rule_tags,
                (rule_tags.c.tag == customer_tags.c.tag) & (customer_tags.c.kind == RULE),
            )
            .where(customer_tags.c.customer_id == customer_id)
            .order_by(customer_tags.c.tag)
        )
        return [
            TagAssignment(
                tag=Tag(row.tag),
                kind=TagKind(row.kind),
                assigned_at=row.created_at,
                segment_id=row.segment_id,
            )
            for row in await self._conn.execute(statement)
        ]

    async def reassign(self, tags: Sequence[Tag], from_id: UUID, to_id: UUID) -> int:
        if not tags:
            return 0
        held = customer_tags.alias("held")
        result = await self._conn.execute(
            update(customer_tags)
            .where(
                customer_tags.c.customer_id == from_id,
                customer_tags.c.tag.in_([tag.value for tag in tags]),
                customer_tags.c.kind == MANUAL,
                ~exists(
                    select(1)
                    .where(held.c.customer_id == to_id, held.c.tag == customer_tags.c.tag)
                    .correlate_except(held)
                ),
            )
            .values(customer_id=to_id)
        )
        return _rowcount(result)

    async def is_in_use(self, tag: Tag) -> bool:
        statement = select(exists().where(customer_tags.c.tag == tag.value))
        return bool((await self._conn.execute(statement)).scalar())

    async def sync_rule_tag(self, tag: Tag, segment_id: UUID) -> tuple[int, int]:
        """Two set-based statements: add the tag to members lacking it, take it off
        carriers that are no longer members."""
        members = segment_members.c
        carried = customer_tags.alias("carried")
        lacking = (
            select(
                members.customer_id,
                literal(tag.value),
                literal(RULE),
                literal(self._now(), customer_tags.c.created_at.type),
            )
            .where(members.segment_id == segment_id)
            .where(
                ~exists(
                    select(1)
                    .where(carried.c.customer_id == members.customer_id, carried.c.tag == tag.value)
                    .correlate_except(carried)
                )
            )
        )
        added = await self._conn.execute(
            insert(customer_tags).from_select(["customer_id", "tag", "kind", "created_at"], lacking)
        )
        removed = await self._conn.execute(
            delete(customer_tags).where(
                customer_tags.c.tag == tag.value,
                customer_tags.c.kind == RULE,
                ~customer_tags.c.customer_id.in_(
                    select(members.customer_id).where(members.segment_id == segment_id)
                ),
            )
        )
        return _rowcount(added), _rowcount(removed)

    async def drop_tag(self, tag: Tag) -> int:
        result = await self._conn.execute(
            delete(customer_tags).where(customer_tags.c.tag == tag.value)
        )
        return _rowcount(result)


def _rule_from_row(row: Any) -> RuleTag:
    return RuleTag(tag=Tag(row.tag), segment_id=row.segment_id, created_at=row.created_at)


class SqlAlchemyRuleTagRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, rule: RuleTag) -> None:
        await self._conn.execute(
            insert(rule_tags).values(
                tag=rule.tag.value, segment_id=rule.segment_id, created_at=rule.created_at
            )
        )

    async def get(self, tag: Tag) -> RuleTag | None:
        statement = select(rule_tags).where(rule_tags.c.tag == tag.value)
        row = (await self._conn.execute(statement)).first()
        return _rule_from_row(row) if row is not None else None

    async def delete(self, tag: Tag) -> None:
        await self._conn.execute(delete(rule_tags).where(rule_tags.c.tag == tag.value))

    async def for_segment(self, segment_id: UUID) -> list[RuleTag]:
        statement = (
            select(rule_tags).where(rule_tags.c.segment_id == segment_id).order_by(rule_tags.c.tag)
        )
        return [_rule_from_row(row) for row in (await self._conn.execute(statement)).all()]

    async def among(self, tags: Sequence[Tag]) -> set[Tag]:
        if not tags:
            return set()
        statement = select(rule_tags.c.tag).where(rule_tags.c.tag.in_([t.value for t in tags]))
        return {Tag(tag) for tag in (await self._conn.execute(statement)).scalars()}
