"""Run Alembic migrations from code, on an async engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import persistence.tables  # noqa: F401
from persistence.db import metadata

ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Upgrade the database to `revision` (default: every head)."""
    await _run(engine, lambda cfg: command.upgrade(cfg, revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    await _run(engine, lambda cfg: command.downgrade(cfg, revision))


async def drift(engine: AsyncEngine) -> list[object]:
    """Differences between the tables in code and the migrated database (empty = none)."""

    def compare(conn: Connection) -> list[object]:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "user_module_prefix": "persistence.types."}
        )
        return list(compare_metadata(ctx, metadata))

    async with engine.connect() as conn:
        return await conn.run_sync(compare)


async def schema_problem(engine: AsyncEngine) -> str | None:
    """Why this code cannot work on the database's schema (not migrated, behind, or
    migrated by another version), or None when it is at this code's head revisions."""

    def current(conn: Connection) -> set[str]:
        return set(MigrationContext.configure(conn).get_current_heads())

    async with engine.connect() as conn:
        found = await conn.run_sync(current)
    script = ScriptDirectory.from_config(alembic_config())
    heads = set(script.get_heads())
    if found == heads:
        return None
    if not found:
        return "the database has no Patronage schema yet: run `patronage migrate` first"
    unknown = found - {revision.revision for revision in script.walk_revisions()}
    if unknown:
        return (
            f"the database was migrated by another version of Patronage (revision(s) "
            f"{', '.join(sorted(unknown))} unknown to this one)"
        )
    return (
        f"the database schema is not up to date (at {', '.join(sorted(found))}, this "
        f"version needs {', '.join(sorted(heads))}): run `patronage migrate` first"
    )


async def _run(engine: AsyncEngine, action: object) -> None:
    def run(conn: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = conn
        action(config)  # type: ignore[operator]

    async with engine.connect() as conn:
        await conn.run_sync(run)
        await conn.commit()
