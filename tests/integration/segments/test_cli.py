"""`patronage segments reevaluate`, run as a command."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import insert

from domain.ids import new_id
from persistence.db import make_engine
from persistence.tables.segments import segments
from tests.integration.segments.rows import CustomerFacts, delete_customers, insert_customers
from tests.support.servers import SECRET

AT = datetime(2026, 1, 1, tzinfo=UTC)


async def _seed(url: str, queries: dict[UUID, str], facts: list[CustomerFacts]) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await insert_customers(conn, facts)
            for segment_id, query in queries.items():
                name = f"cli-{segment_id.hex}"
                await conn.execute(
                    insert(segments).values(
                        id=segment_id,
                        name=name,
                        name_key=name,
                        query=query,
                        description="",
                        created_at=AT,
                        updated_at=AT,
                    )
                )
    finally:
        await engine.dispose()


async def _cleanup(url: str, queries: dict[UUID, str], facts: list[CustomerFacts]) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await delete_customers(conn, [f.id for f in facts])
            await conn.execute(segments.delete().where(segments.c.id.in_(list(queries))))
    finally:
        await engine.dispose()


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING", "PATH": ""}
    return subprocess.run(
        [sys.executable, "-m", "patronage", "segments", "reevaluate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_reevaluates_and_reports_broken_segments(database_url: str) -> None:
    good, broken = new_id(), new_id()
    marker = new_id().hex[:8].upper()  # tier codes are upper case
    queries = {good: f"tier = '{marker}'", broken: "retired_attribute = 1"}
    facts = [CustomerFacts(tier=marker), CustomerFacts(tier=marker), CustomerFacts()]
    asyncio.run(_seed(database_url, queries, facts))
    try:
        first = _run(database_url, "--segment", str(good), "--as-of", "2026-03-30")
        assert first.returncode == 0, first.stderr
        assert f"cli-{good.hex} ({good}): +2 -0" in first.stderr
        assert "1 segment(s) re-evaluated, 0 skipped" in first.stderr
        again = _run(database_url, "--segment", str(good))
        assert f"({good}): +0 -0" in again.stderr

        both = _run(database_url, "--segment", str(good), "--segment", str(broken))
        assert both.returncode == 1
        assert f"cli-{broken.hex} ({broken}): skipped" in both.stderr
        assert "retired_attribute" in both.stderr
        assert "1 segment(s) re-evaluated, 1 skipped" in both.stderr

        bad = _run(database_url, "--as-of", "30/03/2026")
        assert bad.returncode == 2
    finally:
        asyncio.run(_cleanup(database_url, queries, facts))
