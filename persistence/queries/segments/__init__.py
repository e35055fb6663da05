"""The segment language in SQL: the compiler, snapshots for the evaluator, read helpers.

`compile_query` turns a parsed query into one condition over the live customers with
exactly the evaluator's meaning (`domain.segments.evaluator`); `load_snapshots` reads
the facts the evaluator needs from the same rows. `customer_query_filter` is the
condition other lists (`customers(query:)`) add to their WHERE clause.
"""

from __future__ import annotations

from datetime import date, tzinfo
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from domain.segments.catalog import DEFAULT_CATALOG, AttributeCatalog
from domain.segments.language import parse
from domain.segments.syntax import Expr
from persistence.queries.segments.compiler import CompiledQuery, compile_query
from persistence.queries.segments.snapshots import load_snapshots
from persistence.tables.customers import customers

__all__ = [
    "CompiledQuery",
    "compile_query",
    "count_matching",
    "customer_query_filter",
    "first_matching",
    "load_snapshots",
]


def customer_query_filter(
    query: str | Expr,
    *,
    as_of: date,
    zone: tzinfo,
    currency_exponent: int = 2,
    catalog: AttributeCatalog = DEFAULT_CATALOG,
) -> ColumnElement[bool]:
    """`customers.id IN (the live customers `query` matches)`, for any statement over the
    `customers` table. Query text is parsed first: raises SegmentQueryError (line,
    column, expected) when it does not parse or type-check."""
    parsed = parse(query, catalog) if isinstance(query, str) else query
    compiled = compile_query(parsed, as_of=as_of, zone=zone, currency_exponent=currency_exponent)
    return customers.c.id.in_(compiled.ids().correlate(None))


async def count_matching(
    conn: AsyncConnection, query: Expr, *, as_of: date, zone: tzinfo, currency_exponent: int = 2
) -> int:
    """How many live customers `query` matches."""
    compiled = compile_query(query, as_of=as_of, zone=zone, currency_exponent=currency_exponent)
    return int((await conn.execute(compiled.count())).scalar_one())


async def first_matching(
    conn: AsyncConnection,
    query: Expr,
    *,
    as_of: date,
    zone: tzinfo,
    limit: int,
    after: UUID | None = None,
    currency_exponent: int = 2,
) -> list[UUID]:
    """The first `limit` matching customer ids after `after`, in id (creation) order."""
    compiled = compile_query(query, as_of=as_of, zone=zone, currency_exponent=currency_exponent)
    statement = compiled.ids()
    if after is not None:
        statement = statement.where(compiled.customer_id > after)
    statement = statement.order_by(compiled.customer_id).limit(limit)
    return list((await conn.execute(statement)).scalars())
