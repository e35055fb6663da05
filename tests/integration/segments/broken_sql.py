"""Plant a segment whose SQL fails when run: the parser refuses every query that would,
so the compiler is made to emit a condition on a column that does not exist for queries
that name one marker tag (`tags CONTAINS '<marker>'`), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import literal_column

import persistence.queries.segments as queries_package
import persistence.queries.segments.reads as reads_module
import persistence.segments as segments_module
from domain.segments.syntax import Contains
from persistence.queries.segments.compiler import CompiledQuery, compile_query

MARKER = "fails-at-run-time"
BROKEN_QUERY = f"tags CONTAINS '{MARKER}'"


def _breaking(query: Any, **kwargs: Any) -> CompiledQuery:
    compiled = compile_query(query, **kwargs)
    if isinstance(query, Contains) and query.value == MARKER:
        return CompiledQuery(compiled.scope, literal_column("no_such_column") == 1)
    return compiled


def plant_broken_sql(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, BROKEN_QUERY compiles to SQL the database refuses."""
    for module in (queries_package, reads_module, segments_module):
        monkeypatch.setattr(module, "compile_query", _breaking)
