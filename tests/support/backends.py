"""Where the integration tests find PostgreSQL and Redis, and how they get a fresh database.

Each test run creates a database of its own on the PostgreSQL server (dropped at the end),
so runs never see each other's data. When a server is unreachable the tests that need it
are skipped with the reason shown in pytest's summary (-ra).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import redis

PG_URL = os.environ.get(
    "PATRONAGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("PATRONAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""

    async def probe() -> None:
        conn = await asyncpg.connect(PG_URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
        return None
    except Exception as e:
        return f"PostgreSQL unreachable at {PG_URL} ({type(e).__name__}: {e})"


def redis_problem() -> str | None:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
        return None
    except Exception as e:
        return f"Redis unreachable at {REDIS_URL} ({type(e).__name__}: {e})"


def create_database() -> str:
    """Create a fresh database; returns its URL."""
    name = f"patronage_test_{secrets.token_hex(4)}"

    async def create() -> None:
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return _with_database(PG_URL, name)


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")

    async def drop() -> None:
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())
