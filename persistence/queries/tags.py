"""Read side of tags: every tag with its kind and how many live customers carry it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, String, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence.tables.customers import customers
from persistence.tables.tags import customer_tags, rule_tags


def tags_list(
    *, kind: str | None = None, prefix: str | None = None
) -> tuple[Select[Any], list[Any]]:
    """The statement and keyset sort key (the tag) of the tag list.

    Counts only live customers (a merged-away record keeps its tags). Rule tags nobody
    carries yet are listed with 0. Columns: tag, kind, customers, segment_id.
    """
    t, c = customer_tags, customers
    carried = (
        select(
            t.c.tag.label("tag"),
            t.c.kind.label("kind"),
            func.count().label("customers"),
            rule_tags.c.segment_id.label("segment_id"),
        )
        .select_from(
            t.join(c, c.c.id == t.c.customer_id).outerjoin(rule_tags, rule_tags.c.tag == t.c.tag)
        )
        .where(c.c.merged_into.is_(None), c.c.erased_at.is_(None))
        .group_by(t.c.tag, t.c.kind, rule_tags.c.segment_id)
    )
    live_rows = (
        select(1)
        .select_from(t.join(c, c.c.id == t.c.customer_id))
        .where(t.c.tag == rule_tags.c.tag, c.c.merged_into.is_(None), c.c.erased_at.is_(None))
        .exists()
    )
    unused_rules = select(
        rule_tags.c.tag.label("tag"),
        literal("RULE", String).label("kind"),
        literal(0).label("customers"),
        rule_tags.c.segment_id.label("segment_id"),
    ).where(~live_rows)
    listed = union_all(carried, unused_rules).subquery("tag_counts")
    statement = select(listed)
    if kind is not None:
        statement = statement.where(listed.c.kind == kind)
    if prefix:
        escaped = prefix.lower().replace("%", r"\%").replace("_", r"\_")
        statement = statement.where(listed.c.tag.like(escaped + "%", escape="\\"))
    return statement, [listed.c.tag]


@dataclass(frozen=True, slots=True)
class CustomerTagView:
    customer_id: UUID
    tag: str
    kind: str
    created_at: datetime


async def tags_by_customer(
    conn: AsyncConnection, ids: Sequence[UUID]
) -> dict[UUID, list[CustomerTagView]]:
    """Each customer's tags (manual and rule), alphabetically: one statement per batch."""
    t = customer_tags
    rows = await conn.execute(
        select(t.c.customer_id, t.c.tag, t.c.kind, t.c.created_at)
        .where(t.c.customer_id.in_(list(ids)))
        .order_by(t.c.customer_id, t.c.tag)
    )
    found: dict[UUID, list[CustomerTagView]] = {}
    for row in rows.all():
        found.setdefault(row.customer_id, []).append(
            CustomerTagView(row.customer_id, row.tag, row.kind, row.created_at)
        )
    return found
