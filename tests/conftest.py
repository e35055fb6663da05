"""Fixtures shared by every test: database backends, services, an HTTP client.

`backend` runs a test on SQLite and, when reachable, on PostgreSQL. Each run migrates
one database per backend; each test starts from empty tables.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.context import Services
from api.tokens import CustomerTokens
from domain.access.model import Role
from domain.access.services import create_api_key
from jobs import runtime as job_runtime
from patronage.clock import SystemClock
from patronage.publisher import BroadcastPublisher
from patronage.pubsub import InMemoryBroadcast
from patronage.runtime import build_handlers, build_participants
from patronage.settings import Settings
from persistence.db import make_engine, metadata
from persistence.idempotency import SqlIdempotencyStore
from persistence.migrate import upgrade
from tests.support import backends


@pytest.fixture(autouse=True)
def _fresh_job_runtime() -> Iterator[None]:
    # jobs.runtime is process-global: a test that configures it must not leave its
    # services (bound to an engine its fixtures dispose of) to the tests after it.
    yield
    job_runtime.reset()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    problem = backends.postgres_problem()
    if problem:
        pytest.skip(problem)
    url = backends.create_database()
    try:
        yield url
    finally:
        backends.drop_database(url)


@pytest.fixture(scope="session")
def redis_url() -> str:
    problem = backends.redis_problem()
    if problem:
        pytest.skip(problem)
    return backends.REDIS_URL


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "patronage-test.db"
    return f"sqlite+aiosqlite:///{path}"


_migrated: set[str] = set()


def _migrate_once(url: str) -> None:
    if url in _migrated:
        return

    async def run() -> None:
        engine = make_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    _migrated.add(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of a migrated database: SQLite, then PostgreSQL."""
    name = request.param
    url: str = (
        request.getfixturevalue("sqlite_url")
        if name == "sqlite"
        else "postgresql+asyncpg://" + request.getfixturevalue("postgres_url").split("://", 1)[1]
    )
    _migrate_once(url)
    return url


async def _empty_tables(engine: AsyncEngine) -> None:
    # Children before parents. DELETE beats TRUNCATE on tables this small (TRUNCATE
    # rewrites every table's files); on PostgreSQL it is one round trip.
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # asyncpg's simple query protocol runs several statements in one round trip.
            raw = await conn.get_raw_connection()
            assert raw.driver_connection is not None
            await raw.driver_connection.execute("; ".join(f"DELETE FROM {n}" for n in tables))
        else:
            for name in tables:
                await conn.execute(text(f"DELETE FROM {name}"))


async def _settle_background_tasks(timeout: float = 10.0) -> None:
    # A request that fails part-way (a top-level error in one field) returns while its
    # sibling fields' dataloader batches still run; in the server they finish on their
    # own. Here they must finish before the engine goes: cancelled by the loop's teardown
    # in the middle of a query, an aiosqlite connection's close never completes.
    current = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    if others:
        await asyncio.wait(others, timeout=timeout)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    await _empty_tables(engine)
    try:
        yield engine
    finally:
        await _settle_background_tasks()
        await engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
async def services(engine: AsyncEngine, settings: Settings) -> AsyncIterator[Services]:
    clock = SystemClock()
    broadcast = InMemoryBroadcast()

    async def broker_ping() -> bool:
        return True

    yield Services(
        settings=settings,
        engine=engine,
        handlers=build_handlers(settings),
        publisher=BroadcastPublisher(broadcast),
        broadcast=broadcast,
        clock=clock,
        idempotency=SqlIdempotencyStore(engine, clock.now),
        tokens=CustomerTokens(settings.secret_key, settings.customer_token_ttl),
        broker_ping=broker_ping,
        participants=build_participants(),
    )
    await broadcast.close()


async def make_api_key(services: Services, role: Role, name: str = "test") -> str:
    issued = await create_api_key(
        services.uow(), services.clock, name=name, role=role, actor="test"
    )
    return issued.secret


class GraphQLClient:
    """Posts GraphQL to the app over ASGI, as an HTTP client would."""

    def __init__(self, http: httpx.AsyncClient, token: str | None) -> None:
        self.http = http
        self.token = token

    def as_(self, token: str | None) -> GraphQLClient:
        return GraphQLClient(self.http, token)

    async def post(
        self,
        query: str,
        variables: Mapping[str, object] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = {"content-type": "application/json"}
        if self.token:
            all_headers["authorization"] = f"Bearer {self.token}"
        all_headers.update(headers or {})
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )

    async def execute(
        self,
        query: str,
        variables: Mapping[str, object] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The response's `data`; fails the test on top-level errors."""
        response = await self.post(query, variables, headers=headers)
        body = response.json()
        assert "errors" not in body, body["errors"]
        assert response.status_code == 200, body
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
async def http(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
async def admin(services: Services, http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http, await make_api_key(services, Role.ADMIN, "admin"))


@pytest.fixture
async def gql(http: httpx.AsyncClient) -> GraphQLClient:
    """A client without credentials; `.as_(token)` gives one with."""
    return GraphQLClient(http, None)
