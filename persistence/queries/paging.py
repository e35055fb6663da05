"""Keyset (cursor) pagination that costs the same on page 1 and page 10,000.

A cursor encodes the sort-key values of a row (with the id as the last, unique key).
The next page is `WHERE (k1, k2, id) > (:v1, :v2, :id)`, a row-value comparison both
PostgreSQL and SQLite evaluate against a matching index. Nullable sort keys must be
passed wrapped in COALESCE by the caller, since NULL breaks row-value comparison.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar
from uuid import UUID

import orjson
from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

T = TypeVar("T")


class InvalidPageRequest(ValueError):
    """Raised for a malformed cursor or page size; the message is shown to clients."""


@dataclass(frozen=True, slots=True)
class PageRequest:
    """first/after or last/before, validated."""

    size: int
    forward: bool
    cursor: tuple[Any, ...] | None

    @classmethod
    def of(
        cls,
        *,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PageRequest:
        if first is not None and last is not None:
            raise InvalidPageRequest("pass either `first` or `last`, not both")
        if last is not None or before is not None:
            if after is not None or first is not None:
                raise InvalidPageRequest("`last`/`before` cannot be mixed with `first`/`after`")
            size, forward, raw = (DEFAULT_PAGE_SIZE if last is None else last), False, before
        else:
            size, forward, raw = (DEFAULT_PAGE_SIZE if first is None else first), True, after
        if not 0 <= size <= MAX_PAGE_SIZE:
            raise InvalidPageRequest(f"page size must be between 0 and {MAX_PAGE_SIZE}")
        return cls(size=size, forward=forward, cursor=decode_cursor(raw) if raw else None)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


def _tag(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, UUID):
        return {"u": value.hex}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _untag(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, raw),) = value.items()
        decoders: dict[str, Any] = {
            "dt": datetime.fromisoformat,
            "d": date.fromisoformat,
            "u": UUID,
            "n": Decimal,
        }
        if kind in decoders:
            return decoders[kind](raw)
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = orjson.dumps([_tag(v) for v in values])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, ...]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = orjson.loads(raw)
        if not isinstance(values, list) or not values:
            raise ValueError
        return tuple(_untag(v) for v in values)
    except (ValueError, TypeError):
        raise InvalidPageRequest(f"malformed cursor {cursor!r}") from None


async def fetch_page(
    conn: AsyncConnection,
    stmt: Select[Any],
    keys: Sequence[ColumnElement[Any]],
    page: PageRequest,
    *,
    descending: bool = False,
) -> Page[Any]:
    """One page of `stmt` ordered by `keys` (the last key must be unique)."""
    backwards = not page.forward
    # Walking backwards is walking forwards over the reversed order.
    desc = descending != backwards
    query = stmt
    if page.cursor is not None:
        if len(page.cursor) != len(keys):
            raise InvalidPageRequest("cursor does not belong to this list or sort order")
        row_key = tuple_(*keys)
        bound = tuple_(*page.cursor)
        query = query.where(row_key < bound if desc else row_key > bound)
    order = [k.desc() if desc else k.asc() for k in keys]
    key_cols = [k.label(f"pg_k{i}") for i, k in enumerate(keys)]
    query = query.add_columns(*key_cols).order_by(*order).limit(page.size + 1)
    result = (await conn.execute(query)).all()
    more = len(result) > page.size
    result = result[: page.size]
    if backwards:
        result.reverse()
    n = len(keys)
    cursors = [encode_cursor(tuple(row[-n:])) for row in result]
    rows = list(result)
    return Page(
        rows=rows,
        cursors=cursors,
        has_next_page=more if page.forward else page.cursor is not None,
        has_previous_page=more if backwards else page.cursor is not None,
    )


async def count(conn: AsyncConnection, stmt: Select[Any]) -> int:
    """How many rows `stmt` would return."""
    subquery = stmt.order_by(None).subquery()
    return int((await conn.execute(select(func.count()).select_from(subquery))).scalar_one())


async def fetch_pages_by_parent(
    conn: AsyncConnection,
    stmt: Select[Any],
    parent: ColumnElement[Any],
    parent_ids: Sequence[Any],
    keys: Sequence[ColumnElement[Any]],
    page: PageRequest,
    *,
    descending: bool = False,
) -> dict[Any, Page[Any]]:
    """One page per parent (say, the first 3 orders of each of 100 customers) in ONE
    statement: ROW_NUMBER() over each parent's rows, keeping the first size + 1."""
    backwards = not page.forward
    desc = descending != backwards
    query = stmt.where(parent.in_(parent_ids))
    if page.cursor is not None:
        if len(page.cursor) != len(keys):
            raise InvalidPageRequest("cursor does not belong to this list or sort order")
        row_key, bound = tuple_(*keys), tuple_(*page.cursor)
        query = query.where(row_key < bound if desc else row_key > bound)
    order = [k.desc() if desc else k.asc() for k in keys]
    ranked = query.add_columns(
        parent.label("pg_parent"),
        *[k.label(f"pg_k{i}") for i, k in enumerate(keys)],
        func.row_number().over(partition_by=parent, order_by=order).label("pg_rn"),
    ).subquery()
    outer = (
        select(ranked)
        .where(ranked.c.pg_rn <= page.size + 1)
        .order_by(ranked.c.pg_parent, ranked.c.pg_rn)
    )
    rows = (await conn.execute(outer)).all()
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.pg_parent, []).append(row)
    pages: dict[Any, Page[Any]] = {}
    n = len(keys)
    for parent_id in parent_ids:
        found = grouped.get(parent_id, [])
        more = len(found) > page.size
        found = found[: page.size]
        if backwards:
            found.reverse()
        cursors = [encode_cursor(tuple(getattr(r, f"pg_k{i}") for i in range(n))) for r in found]
        pages[parent_id] = Page(
            rows=found,
            cursors=cursors,
            has_next_page=more if page.forward else page.cursor is not None,
            has_previous_page=more if backwards else page.cursor is not None,
        )
    return pages


async def count_by_parent(
    conn: AsyncConnection, stmt: Select[Any], parent: ColumnElement[Any], parent_ids: Sequence[Any]
) -> dict[Any, int]:
    """How many rows of `stmt` each parent has, in one statement."""
    sub = stmt.where(parent.in_(parent_ids)).with_only_columns(parent.label("pg_parent")).subquery()
    rows = (
        await conn.execute(select(sub.c.pg_parent, func.count()).group_by(sub.c.pg_parent))
    ).all()
    return {row[0]: int(row[1]) for row in rows}
