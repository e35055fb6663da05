"""Alembic environment on Patronage's metadata.

Programmatic runs (`persistence.migrate`) pass an open connection in
`config.attributes["connection"]`; the `alembic` command line opens one from DATABASE_URL.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import persistence.tables  # noqa: F401  (registers every table on the metadata)
from persistence.db import make_engine, metadata

config = context.config


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        user_module_prefix="persistence.types.",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url() -> None:
    from patronage.settings import Settings

    engine = make_engine(Settings.from_env().database_url)
    async with engine.connect() as conn:
        await conn.run_sync(_configure)
        await conn.commit()
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _configure(connection)
elif context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
else:
    asyncio.run(_run_from_url())
