"""Statements for many rows at once, spelled for each database.

On PostgreSQL (asyncpg) rows are appended with COPY, upserted with ONE
`INSERT ... SELECT * FROM unnest($1::uuid[], $2::text[], ...) ON CONFLICT ... DO UPDATE`
(one array parameter per column, whatever the number of rows), and looked up with
`= ANY($1)` or a join on `unnest(...)`: no statement grows with the batch, so there is
nothing to re-parse or re-plan per batch. Elsewhere (SQLite, in-process) they are
executemany of the one-row statement. Bulk writes bypass SQLAlchemy's per-value type
processing on PostgreSQL, so values must already be what asyncpg takes: aware datetimes,
UUIDs, plain str/int/date; JSON columns are encoded here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, String, Table, and_, any_, bindparam, func, tuple_
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from persistence.dialect import insert_for

_PG = postgresql.dialect()


async def insert_rows(conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Append `rows` (dicts with the same keys) to `table`."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        await conn.execute(table.insert(), list(rows))
        return
    columns = list(rows[0])
    encoded = _json_columns(table, columns)
    if encoded:
        rows = [{**row, **{n: _json(row[n]) for n in encoded}} for row in rows]
    record = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    driver = await _driver(conn)
    await driver.copy_records_to_table(
        table.name, records=[record(row) for row in rows], columns=columns
    )


async def upsert_rows(
    conn: AsyncConnection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert `rows`, or update the `update` columns of the rows whose `key` exists."""
    if not rows:
        return
    columns = list(rows[0])
    if conn.dialect.name != "postgresql":
        stmt = insert_for(conn.dialect.name, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(key), set_={name: stmt.excluded[name] for name in update}
        )
        await conn.execute(stmt, list(rows))
        return
    arrays = ", ".join(f"${n}::{_pg_type(table, name)}[]" for n, name in enumerate(columns, 1))
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
        + ", ".join(f"{name} = excluded.{name}" for name in update)
    )
    encoded = _json_columns(table, columns)
    driver = await _driver(conn)
    await driver.execute(
        sql,
        *(
            [_json(row[name]) for row in rows] if name in encoded else [row[name] for row in rows]
            for name in columns
        ),
    )


def in_values(column: ColumnElement[Any], values: Sequence[Any], dialect: str) -> Any:
    """`column IN values`: one array parameter on PostgreSQL (`= ANY($1)`)."""
    if dialect == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(list(values))


def matching_pairs(
    stmt: Select[Any],
    columns: tuple[ColumnElement[str], ColumnElement[str]],
    pairs: Sequence[tuple[str, str]],
    dialect: str,
) -> Select[Any]:
    """`stmt` restricted to rows whose two `columns` equal one of `pairs`."""
    first, second = columns
    if dialect != "postgresql":
        return stmt.where(tuple_(first, second).in_(list(pairs)))
    keys = (
        func.unnest(
            bindparam(None, [a for a, _ in pairs], type_=postgresql.ARRAY(String)),
            bindparam(None, [b for _, b in pairs], type_=postgresql.ARRAY(String)),
        )
        .table_valued("a", "b")
        .render_derived()
    )
    return stmt.join(keys, and_(first == keys.c.a, second == keys.c.b))


def _json(value: Any) -> str | None:
    return json.dumps(value) if value is not None else None


def _json_columns(table: Table, columns: Sequence[str]) -> set[str]:
    """The columns asyncpg takes as JSON text."""
    return {name for name in columns if _pg_type(table, name) in {"JSON", "JSONB"}}


@cache
def _pg_type(table: Table, name: str) -> str:
    return str(table.c[name].type.compile(dialect=_PG))


async def _driver(conn: AsyncConnection) -> Any:
    """The asyncpg connection under `conn`, inside the transaction SQLAlchemy began."""
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if driver is None or not driver.is_in_transaction():
        raise RuntimeError("bulk writes run inside a transaction that executed a statement")
    return driver
