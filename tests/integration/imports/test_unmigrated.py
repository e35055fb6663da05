"""Commands refuse a database that is not migrated (exit 2) with a clear message."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
import uvicorn
from typer.testing import CliRunner

from patronage.cli import app
from persistence.db import make_engine
from persistence.migrate import schema_problem, upgrade
from tests.integration.imports.support import invoke_import
from tests.support import backends


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database nobody migrated."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    problem = backends.postgres_problem()
    if problem:
        pytest.skip(problem)
    url = backends.create_database()
    try:
        yield "postgresql+asyncpg://" + url.split("://", 1)[1]
    finally:
        backends.drop_database(url)


@pytest.fixture
def cli(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    return CliRunner()


def _problem(url: str, *, revision: str | None = None) -> str | None:
    async def run() -> str | None:
        engine = make_engine(url)
        try:
            if revision is not None:
                await upgrade(engine, revision)
            return await schema_problem(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_an_import_into_an_unmigrated_database_says_to_migrate_first(
    cli: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email\na@example.com\n")

    result = invoke_import(cli, "customers", str(path), "--workers", "0")

    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert "the database has no Patronage schema yet: run `patronage migrate` first" in message
    assert "SQL" not in result.output
    assert not (tmp_path / "people.rejects.csv").exists()


def test_serve_refuses_an_unmigrated_database(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = []

    async def serve(self: uvicorn.Server) -> None:
        served.append(self)

    monkeypatch.setattr(uvicorn.Server, "serve", serve)

    result = cli.invoke(app, ["serve"])

    assert result.exit_code == 2, result.output
    assert "run `patronage migrate` first" in " ".join(result.stderr.split())
    assert served == []


@pytest.mark.parametrize(
    "command",
    [["demo"], ["apikey", "create", "--role", "ADMIN"], ["apikey", "revoke", str(UUID(int=1))]],
)
def test_other_commands_refuse_an_unmigrated_database(cli: CliRunner, command: list[str]) -> None:
    result = cli.invoke(app, command)

    assert result.exit_code == 2, result.output
    assert "run `patronage migrate` first" in " ".join(result.stderr.split())


def test_a_schema_behind_the_code_or_up_to_date_is_told_apart(empty_database_url: str) -> None:
    behind = _problem(empty_database_url, revision="0001")
    assert behind is not None
    assert behind.startswith("the database schema is not up to date (at 0001, this version")
    assert behind.endswith("run `patronage migrate` first")
    assert _problem(empty_database_url, revision="heads") is None
