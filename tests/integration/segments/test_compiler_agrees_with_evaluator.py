"""The SQL compiler and the Python evaluator give the same customers, on both databases.

Random well-typed queries (every attribute and operator, NOT/AND/OR nesting) against
random customers written into the real tables (NULLs, missing rows, non-live customers,
instants near the store zone's midnights, a DST change): the ids the SQL returns must
be exactly those whose snapshot, loaded from the same rows, the evaluator accepts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.segments.evaluator import evaluate
from domain.segments.printer import to_text
from domain.segments.syntax import Expr
from persistence.db import make_engine
from persistence.queries.segments import compile_query, load_snapshots
from tests.integration.segments.queries import every_attribute, queries
from tests.integration.segments.rows import (
    CustomerFacts,
    customer_facts,
    delete_customers,
    insert_customers,
    unique_emails,
)

ZONE = ZoneInfo("America/New_York")
# Around a DST change, a 29 February, the day before one, and an ordinary day.
AS_OF_DATES = [date(2026, 3, 10), date(2028, 2, 29), date(2027, 3, 1), date(2026, 11, 2)]


class Database:
    """An engine on its own event loop, for hypothesis's synchronous examples."""

    def __init__(self, url: str) -> None:
        self.runner = asyncio.Runner()
        self.engine: AsyncEngine = self.runner.run(self._make(url))

    @staticmethod
    async def _make(url: str) -> AsyncEngine:
        return make_engine(url)

    def close(self) -> None:
        self.runner.run(self.engine.dispose())
        self.runner.close()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    try:
        yield db
    finally:
        db.close()


async def _check(
    engine: AsyncEngine, facts: list[CustomerFacts], checks: list[Expr], as_of: date
) -> None:
    ids = [f.id for f in facts]
    async with engine.begin() as conn:
        await insert_customers(conn, facts)
    try:
        async with engine.connect() as conn:
            snapshots = await load_snapshots(conn, ids, as_of=as_of, zone=ZONE)
            live = {f.id for f in facts if f.state == "LIVE"}
            assert set(snapshots) == live
            for query in checks:
                compiled = compile_query(query, as_of=as_of, zone=ZONE)
                statement = compiled.ids().where(compiled.customer_id.in_(ids))
                found = set((await conn.execute(statement)).scalars())
                expected = {i for i, snapshot in snapshots.items() if evaluate(query, snapshot)}
                assert found == expected, (
                    f"{to_text(query)}\nSQL only: {found - expected}\n"
                    f"evaluator only: {expected - found}\n"
                    f"snapshots: {[snapshots[i] for i in found ^ expected]}"
                )
    finally:
        async with engine.begin() as conn:
            await delete_customers(conn, ids)


@st.composite
def examples(draw: st.DrawFn) -> tuple[date, list[CustomerFacts], list[Expr]]:
    as_of = draw(st.sampled_from(AS_OF_DATES))
    facts = draw(st.lists(customer_facts(as_of, ZONE), min_size=1, max_size=8))
    checks = draw(every_attribute) + draw(st.lists(queries, min_size=2, max_size=10))
    return as_of, unique_emails(facts), checks


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(example=examples())
def test_sql_matches_exactly_the_customers_the_evaluator_accepts(
    database: Database, example: tuple[date, list[CustomerFacts], list[Expr]]
) -> None:
    as_of, facts, checks = example
    database.runner.run(_check(database.engine, facts, checks, as_of))
