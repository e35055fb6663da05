"""Migrations: upgrade head -> downgrade base -> upgrade head, with no drift from the code."""

from __future__ import annotations

import asyncio

from sqlalchemy import inspect

from persistence.db import make_engine, metadata
from persistence.migrate import downgrade, drift, upgrade
from tests.support import backends


async def _round_trip(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
        assert await drift(engine) == []
        await downgrade(engine, "base")
        async with engine.connect() as conn:
            left = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert set(left) <= {"alembic_version"}
        await upgrade(engine)
        assert await drift(engine) == []
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {t.name for t in metadata.sorted_tables} <= tables
    finally:
        await engine.dispose()


def test_round_trip_on_sqlite(tmp_path: object) -> None:
    asyncio.run(_round_trip(f"sqlite+aiosqlite:///{tmp_path}/round-trip.db"))


def test_round_trip_on_postgres(postgres_url: str) -> None:
    # A database of its own: the shared test database stays migrated for other tests.
    url = backends.create_database()
    try:
        asyncio.run(_round_trip("postgresql+asyncpg://" + url.split("://", 1)[1]))
    finally:
        backends.drop_database(url)
