"""Segment query benchmark on PostgreSQL: generate customers, time representative queries.

    .venv/bin/python -m bench.segments --database-url postgresql://postgres@127.0.0.1/bench \
        --customers 1000000

Generates N customers with stats, tiers, points, scores, identities, tags, orders with
lines and behaviour events (bulk-loaded with COPY), then prints, for each query, the
median of 5 runs of its count and of its first page of 20 ids (the preview), as the API
runs them (the compiled SQL of `persistence.queries.segments`). The database is migrated
first; it must be empty unless `--reuse` (time existing data) or `--reset` (empty it).
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import typer
from sqlalchemy.dialects import postgresql

from domain.ids import new_id
from domain.segments.language import parse
from persistence.db import make_engine
from persistence.migrate import upgrade
from persistence.queries.segments import compile_query

ZONE = UTC
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
AS_OF = NOW.date()
CHUNK = 50_000
TIERS = (("MEMBER", 0.55), ("SILVER", 0.25), ("GOLD", 0.15), ("PLATINUM", 0.05))
TAGS = (
    ("vip", 0.05),
    ("newsletter", 0.2),
    ("b2b", 0.03),
    *tuple((f"tag-{i}", 0.01) for i in range(47)),
)
CATEGORIES = (*tuple(f"category-{i}" for i in range(20)), "shoes")
SKUS = 5_000
RFM_GROUPS = (
    "PROSPECTS",
    "NEW",
    "PROMISING",
    "ACTIVE",
    "NEEDS_ATTENTION",
    "LOYAL",
    "CHAMPIONS",
    "AT_RISK",
    "ALMOST_LOST",
    "PREVIOUSLY_LOYAL",
    "DORMANT",
)
LIFECYCLE = ("PROSPECT", "NEW", "ACTIVE", "AT_RISK", "DORMANT", "LOST")
CONSENTS = ("SUBSCRIBED", "UNSUBSCRIBED", "PENDING")

QUERIES: tuple[tuple[str, str], ...] = (
    ("1 clause", "tier = 'GOLD'"),
    ("3 clauses", "tier IN ('GOLD', 'PLATINUM') AND last_order_days > 90 AND net_spent > 500"),
    (
        "3 clauses, NOT CONTAINS",
        "tier IN ('GOLD', 'PLATINUM') AND last_order_days > 90 AND NOT tags CONTAINS 'vip'",
    ),
    ("CONTAINS tag", "tags CONTAINS 'vip' AND orders_count >= 3"),
    ("categories", "categories CONTAINS 'shoes' AND last_order_days <= 30"),
    ("last_order_days", "last_order_days BETWEEN 30 AND 60"),
    (
        "NOT / OR",
        "NOT (tier = 'MEMBER' OR email_consent = 'UNSUBSCRIBED') AND points_balance > 1000",
    ),
    (
        "consent + country",
        "email_consent = 'SUBSCRIBED' AND country IN ('FR', 'DE') AND orders_count = 0",
    ),
    ("scores", "rfm_group IN ('AT_RISK', 'ALMOST_LOST') AND clv > 100"),
    ("last_seen_days", "last_seen_days <= 7"),
    ("cart abandoned", "cart_abandoned_days <= 3 AND email_consent = 'SUBSCRIBED'"),
)

app = typer.Typer(add_completion=False)


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    roll, total = rng.random(), 0.0
    for value, weight in choices:
        total += weight
        if roll < total:
            return value
    return choices[0][0]


def _ago(rng: random.Random, max_days: int) -> datetime:
    return NOW - timedelta(seconds=rng.randrange(max_days * 86_400))


class Batch:
    """The rows of one chunk of customers, table by table (COPY column order)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in COLUMNS}


COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": (
        "id",
        "created_at",
        "updated_at",
        "email",
        "email_key",
        "first_name",
        "country",
        "gender",
        "birthday",
        "email_consent",
        "sms_consent",
        "public_metadata",
        "private_metadata",
    ),
    "customer_stats": (
        "customer_id",
        "orders_count",
        "net_spent",
        "average_order_value",
        "first_order_at",
        "last_order_at",
        "refunds_count",
        "refunded_total",
    ),
    "memberships": ("customer_id", "tier_code", "tier_since", "version"),
    "points_accounts": ("customer_id", "balance", "lifetime_earned", "version"),
    "customer_scores": (
        "customer_id",
        "rfm_recency",
        "rfm_frequency",
        "rfm_monetary",
        "rfm_group",
        "clv",
        "churn_risk",
        "lifecycle",
        "scored_at",
    ),
    "customer_identities": ("id", "customer_id", "channel", "external_id", "created_at"),
    "customer_tags": ("customer_id", "tag", "kind", "created_at"),
    "orders": (
        "id",
        "channel",
        "external_id",
        "customer_id",
        "status",
        "placed_at",
        "currency",
        "total_amount",
        "base_total",
        "created_at",
        "updated_at",
    ),
    "order_lines": ("order_id", "position", "sku", "name", "quantity", "unit_price", "category"),
    "activity_events": (
        "id",
        "customer_id",
        "kind",
        "occurred_at",
        "recorded_at",
        "sku",
        "rating",
        "properties",
    ),
}


def generate(count: int, seed: int) -> Iterator[Batch]:
    """Batches of CHUNK customers with everything the segment language reads."""
    rng = random.Random(seed)
    empty = json.dumps({})
    batch = Batch()
    for n in range(count):
        cid = new_id()
        created = _ago(rng, 1_500)
        email = f"c{n}@example.com"
        rows = batch.rows
        rows["customers"].append(
            (
                cid,
                created,
                created,
                email,
                email,
                f"name{n % 5000}",
                rng.choice(("FR", "DE", "GB", "ES", "IT", "US", "NL", "BE")),
                rng.choice(("FEMALE", "MALE", "OTHER", "UNDISCLOSED")),
                date(1950, 1, 1) + timedelta(days=rng.randrange(20_000)),
                rng.choice(CONSENTS),
                rng.choice(CONSENTS),
                json.dumps({"size": rng.choice("SMLX")}),
                empty,
            )
        )
        rows["memberships"].append((cid, _weighted(rng, TIERS), created, 1))
        rows["points_accounts"].append((cid, rng.randrange(5_000), rng.randrange(20_000), 1))
        rows["customer_scores"].append(
            (
                cid,
                rng.randint(1, 5),
                rng.randint(1, 5),
                rng.randint(1, 5),
                rng.choice(RFM_GROUPS),
                rng.randrange(100_000),
                Decimal(rng.randrange(1_000_000)).scaleb(-6),
                rng.choice(LIFECYCLE),
                NOW,
            )
        )
        channel = "shopify" if rng.random() < 0.6 else "pos"
        rows["customer_identities"].append((new_id(), cid, channel, f"{channel}-{n}", created))
        for tag, share in TAGS:
            if rng.random() < share:
                rows["customer_tags"].append((cid, tag, "MANUAL", created))
        if rng.random() < 0.7:
            _orders(rng, batch, cid, channel)
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            occurred = _ago(rng, 120)
            kind = rng.choices(("PAGE_VIEW", "ADD_TO_CART", "REVIEW_POSTED"), (8, 3, 1))[0]
            rating = rng.randint(1, 5) if kind == "REVIEW_POSTED" else None
            sku = f"SKU-{rng.randrange(SKUS)}" if kind == "ADD_TO_CART" else None
            rows["activity_events"].append(
                (new_id(), cid, kind, occurred, occurred, sku, rating, empty)
            )
        if len(rows["customers"]) == CHUNK:
            yield batch
            batch = Batch()
    if batch.rows["customers"]:
        yield batch


def _orders(rng: random.Random, batch: Batch, cid: UUID, channel: str) -> None:
    count = min(30, int(rng.expovariate(0.35)) + 1)
    placed = sorted(_ago(rng, 730) for _ in range(min(count, 3)))
    total = 0
    for placed_at in placed:
        oid = new_id()
        lines = rng.randint(1, 2)
        amount = 0
        for position in range(1, lines + 1):
            sku = rng.randrange(SKUS)
            price = rng.randrange(500, 20_000)
            amount += price
            category = "shoes" if sku % 25 == 0 else CATEGORIES[sku % 20]
            batch.rows["order_lines"].append(
                (oid, position, f"SKU-{sku}", "item", 1, price, category)
            )
        total += amount
        batch.rows["orders"].append(
            (
                oid,
                channel,
                oid.hex,
                cid,
                "PAID",
                placed_at,
                "EUR",
                amount,
                amount,
                placed_at,
                placed_at,
            )
        )
    spent = total * count // len(placed)
    batch.rows["customer_stats"].append(
        (cid, count, spent, spent // count, placed[0], placed[-1], 0, 0)
    )


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _sqlalchemy_url(url: str) -> str:
    return "postgresql+asyncpg://" + url.split("://", 1)[1]


async def load(url: str, count: int, seed: int) -> float:
    started = time.monotonic()
    conn = await asyncpg.connect(_asyncpg_url(url))
    try:
        # Generated rows are consistent by construction: skip the per-row foreign key
        # triggers while loading (needs a superuser; the data is what a store would hold).
        await conn.execute("SET session_replication_role = replica")
        loaded = 0
        for batch in generate(count, seed):
            async with conn.transaction():
                for table, columns in COLUMNS.items():
                    rows = batch.rows[table]
                    if rows:
                        await conn.copy_records_to_table(table, records=rows, columns=columns)
            loaded += len(batch.rows["customers"])
            typer.echo(
                f"  loaded {loaded:,} customers ({time.monotonic() - started:.0f} s)", err=True
            )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return time.monotonic() - started


async def _median(conn: asyncpg.Connection, sql: str, args: list[Any], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await conn.fetch(sql, *args)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def _asyncpg_sql(statement: Any) -> tuple[str, list[Any]]:
    """The statement as asyncpg runs it ($1, $2 ... with their values)."""
    dialect = postgresql.asyncpg.dialect()  # type: ignore[no-untyped-call]
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    names = compiled.positiontup or []
    return str(compiled), [params[name] for name in names]


async def measure(url: str, runs: int, explain: bool) -> list[tuple[str, str, int, float, float]]:
    conn = await asyncpg.connect(_asyncpg_url(url))
    results = []
    try:
        for label, text in QUERIES:
            compiled = compile_query(parse(text), as_of=AS_OF, zone=ZONE)
            count_sql, count_args = _asyncpg_sql(compiled.count())
            page = compiled.ids().order_by(compiled.customer_id).limit(20)
            page_sql, page_args = _asyncpg_sql(page)
            matching = int(await conn.fetchval(count_sql, *count_args))  # warm-up
            await conn.fetch(page_sql, *page_args)
            count_ms = await _median(conn, count_sql, count_args, runs)
            page_ms = await _median(conn, page_sql, page_args, runs)
            results.append((label, text, matching, count_ms, page_ms))
            if explain:
                plan = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + count_sql, *count_args)
                typer.echo("\n".join(row[0] for row in plan), err=True)
    finally:
        await conn.close()
    return results


@app.command()
def main(
    database_url: Annotated[str, typer.Option(envvar="DATABASE_URL", help="PostgreSQL URL.")],
    customers: Annotated[int, typer.Option(help="How many customers to generate.")] = 1_000_000,
    seed: Annotated[int, typer.Option(help="Random seed of the generated data.")] = 7,
    runs: Annotated[int, typer.Option(help="Timed runs per query (the median is shown).")] = 5,
    reuse: Annotated[bool, typer.Option(help="Time the data already there.")] = False,
    reset: Annotated[bool, typer.Option(help="Empty the tables first.")] = False,
    explain: Annotated[bool, typer.Option(help="Print each count's plan.")] = False,
) -> None:
    """Generate customers (unless --reuse) and print query timings."""
    asyncio.run(_main(database_url, customers, seed, runs, reuse, reset, explain))


async def _main(
    url: str, customers: int, seed: int, runs: int, reuse: bool, reset: bool, explain: bool
) -> None:
    engine = make_engine(_sqlalchemy_url(url))
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(_asyncpg_url(url))
    try:
        if reset:
            await conn.execute(f"TRUNCATE {', '.join(COLUMNS)}, segment_members CASCADE")
        present = int(await conn.fetchval("SELECT count(*) FROM customers"))
        server = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    if not reuse:
        if present:
            raise typer.BadParameter(f"{present:,} customers already there: --reuse or --reset")
        typer.echo(f"generating {customers:,} customers...", err=True)
        seconds = await load(url, customers, seed)
        typer.echo(f"loaded in {seconds:.0f} s", err=True)
        present = customers
    results = await measure(url, runs, explain)
    typer.echo(f"\nPostgreSQL {server}, {present:,} customers, median of {runs} runs\n")
    typer.echo(f"| {'query':<24} | {'matches':>9} | {'count ms':>8} | {'page ms':>7} |")
    typer.echo(f"|{'-' * 26}|{'-' * 11}|{'-' * 10}|{'-' * 9}|")
    for label, _, matching, count_ms, page_ms in results:
        typer.echo(f"| {label:<24} | {matching:>9,} | {count_ms:>8.1f} | {page_ms:>7.1f} |")
    typer.echo("")
    for label, text, *_ in results:
        typer.echo(f"- {label}: `{text}`")


if __name__ == "__main__":
    app()
