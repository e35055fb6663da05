"""SQL functions the segment compiler needs, spelt per dialect (SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class month_of(FunctionElement[int]):
    """The month (1 to 12) of a DATE column, as an integer; NULL for NULL."""

    type = Integer()
    inherit_cache = True
    name = "month_of"


@compiles(month_of, "sqlite")
def _month_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%m', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(month_of, "postgresql")
def _month_postgresql(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(EXTRACT(MONTH FROM {compiler.process(element.clauses, **kw)}) AS INTEGER)"


class json_text(FunctionElement[str]):
    """The value of `key` in a JSON object column when it is a JSON string, else NULL.

    Numbers, booleans, objects and JSON null are not text: they give NULL, on both
    back ends alike (PostgreSQL and SQLite would print numbers differently).
    """

    type = String()
    inherit_cache = True
    name = "json_text"

    def __init__(self, column: ColumnElement[Any], key: str) -> None:
        # The key is a bound parameter (part of the cached statement's parameters).
        super().__init__(column, bindparam(None, key, type_=String()))


def _column_and_key(element: json_text, compiler: Any, **kw: Any) -> tuple[str, str]:
    column, key = element.clauses.clauses
    return compiler.process(column, **kw), compiler.process(key, **kw)


@compiles(json_text, "sqlite")
def _json_text_sqlite(element: json_text, compiler: Any, **kw: Any) -> str:
    column, key = _column_and_key(element, compiler, **kw)
    # Keys are [A-Za-z0-9_-]+ (the grammar), quoted so '-' is not read as an operator.
    path = f"('$.\"' || {key} || '\"')"
    return f"CASE WHEN json_type({column}, {path}) = 'text' THEN json_extract({column}, {path}) END"


@compiles(json_text, "postgresql")
def _json_text_postgresql(element: json_text, compiler: Any, **kw: Any) -> str:
    column, key = _column_and_key(element, compiler, **kw)
    return (
        f"CASE WHEN jsonb_typeof({column} -> CAST({key} AS TEXT)) = 'string' "
        f"THEN {column} ->> CAST({key} AS TEXT) END"
    )
