"""Helpers of the import tests: CSV files, running an import, reading what it wrote."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import Executable, Row, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner, Result

from domain.imports.model import ImportKind
from domain.imports.services import ImportFile, ImportOutcome, import_file
from domain.ports import Clock
from patronage.cli import app
from patronage.importing import CsvFile, rejects_writer
from patronage.settings import Settings
from persistence.db import make_engine, metadata
from persistence.imports import SqlImportStore
from persistence.tables.customers import consent_entries, customer_identities, customers
from persistence.tables.orders import customer_stats, order_lines, orders

CUSTOMER_HEADER = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "country",
    "identity_channel",
    "identity_external_id",
    "email_consent",
    "created_at",
)
ORDER_HEADER = (
    "channel",
    "external_id",
    "customer_email",
    "customer_identity_channel",
    "customer_identity_external_id",
    "placed_at",
    "currency",
    "total",
    "base_total",
    "status",
    "sku",
    "name",
    "quantity",
    "unit_price",
    "category",
)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[dict[str, str]]) -> Path:
    """A CSV file with `header`; each row gives some of its cells (the rest blank)."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for row in rows:
            unknown = set(row) - set(header)
            assert not unknown, unknown
            writer.writerow([row.get(name, "") for name in header])
    return path


def read_rejects(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


async def run_import(
    engine: AsyncEngine,
    path: Path,
    kind: ImportKind,
    *,
    clock: Clock,
    batch_size: int = 1000,
    store: SqlImportStore | None = None,
) -> ImportOutcome:
    """Import `path` as the CLI does (rejects beside it), without worker processes."""
    source = CsvFile.open(path, kind)
    return await import_file(
        store or SqlImportStore(engine),
        ImportFile(kind=kind, name=path.name, sha256=source.sha256, rows=source.rows()),
        clock=clock,
        zone=UTC,
        base_currency="EUR",
        batch_size=batch_size,
        write_rejects=rejects_writer(source.default_rejects_path(), source.columns),
    )


def invoke_import(cli: CliRunner, *args: str) -> Result:
    """`patronage import ARGS...` through the CLI entry point."""
    return cli.invoke(app, ["import", *args])


def select_rows(settings: Settings, stmt: Executable) -> list[Row[Any]]:
    """The rows of `stmt` in the database of `settings` (from outside an event loop)."""

    async def run() -> list[Row[Any]]:
        engine = make_engine(settings.database_url)
        try:
            return await fetch(engine, stmt)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def rejects_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


async def fetch(engine: AsyncEngine, stmt: Executable) -> list[Row[Any]]:
    async with engine.connect() as conn:
        return list((await conn.execute(stmt)).all())


async def empty_tables(engine: AsyncEngine) -> None:
    names = [table.name for table in metadata.sorted_tables]
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(names)} CASCADE"))
        else:
            for name in reversed(names):
                await conn.execute(text(f"DELETE FROM {name}"))


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Everything an import writes, with ids replaced by a stable label per customer
    (its email key, else its first identity), so two runs can be compared."""
    people = await fetch(engine, select(customers))
    identities = await fetch(engine, select(customer_identities))
    first_identity: dict[Any, str] = {}
    for row in sorted(identities, key=lambda r: (r.channel, r.external_id)):
        first_identity.setdefault(row.customer_id, f"{row.channel}:{row.external_id}")
    label = {p.id: p.email_key or first_identity.get(p.id, "?") for p in people}
    order_rows = await fetch(engine, select(orders))
    order_key = {o.id: (o.channel, o.external_id) for o in order_rows}
    return {
        "customers": sorted(
            (
                label[p.id],
                p.email,
                p.phone,
                p.first_name,
                p.last_name,
                p.country,
                p.email_consent,
                p.created_at,
            )
            for p in people
        ),
        "identities": sorted((label[r.customer_id], r.channel, r.external_id) for r in identities),
        "consents": sorted(
            (label[r.customer_id], r.channel, r.state, r.opt_in_level)
            for r in await fetch(engine, select(consent_entries))
        ),
        "orders": sorted(
            (
                o.channel,
                o.external_id,
                label[o.customer_id],
                o.status,
                o.placed_at,
                o.currency,
                o.total_amount,
                o.base_total,
            )
            for o in order_rows
        ),
        "lines": sorted(
            (*order_key[r.order_id], r.position, r.sku, r.name, r.quantity, r.unit_price)
            for r in await fetch(engine, select(order_lines))
        ),
        "stats": sorted(
            (
                label[s.customer_id],
                s.orders_count,
                s.net_spent,
                s.average_order_value,
                s.first_order_at,
                s.last_order_at,
            )
            for s in await fetch(engine, select(customer_stats))
        ),
    }
