"""Benchmark of `patronage import`: 100,000 customers and 300,000 orders on PostgreSQL.

    .venv/bin/python bench/import.py [--customers 100000] [--orders 300000]
                                     [--batch-size 1000] [--workers N]

Generates two deterministic CSV files in a temporary directory (customers with ~2 %
duplicate rows and ~1 % invalid ones; orders of 1 to 3 lines, 5 % for customers the
first file does not have), creates a fresh PostgreSQL database (as the tests do:
PATRONAGE_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres),
migrates it, imports both files through the same code as the CLI, prints rows per
second for each file and in total, and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain.imports.columns import CUSTOMER_COLUMNS, ORDER_COLUMNS  # noqa: E402
from domain.imports.model import ImportKind  # noqa: E402
from patronage.importing import CsvFile, default_workers, run_import  # noqa: E402
from patronage.settings import Settings  # noqa: E402
from persistence.db import make_engine  # noqa: E402
from persistence.migrate import upgrade  # noqa: E402
from tests.support import backends  # noqa: E402

SEED = 20261123
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "David",
    "Emma",
    "Farid",
    "Giulia",
    "Hugo",
    "Inès",
    "Jonas",
    "Karin",
    "Léa",
    "Marco",
    "Nina",
    "Oscar",
    "Paula",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Müller",
    "Rossi",
    "García",
    "Smith",
    "Jansen",
    "Nowak",
    "Silva",
    "Dupont",
    "Lefebvre",
    "Moreau",
    "Fischer",
    "Romano",
    "López",
]
DOMAINS = [
    "gmail.com",
    "yahoo.fr",
    "outlook.com",
    "orange.fr",
    "free.fr",
    "gmx.de",
    "web.de",
    "hotmail.co.uk",
    "icloud.com",
    "proton.me",
]
PLACES = [
    ("FR", "Paris", "fr-FR", "Europe/Paris"),
    ("FR", "Lyon", "fr-FR", "Europe/Paris"),
    ("DE", "Berlin", "de-DE", "Europe/Berlin"),
    ("ES", "Madrid", "es-ES", "Europe/Madrid"),
    ("IT", "Milano", "it-IT", "Europe/Rome"),
    ("GB", "London", "en-GB", "Europe/London"),
    ("BE", "Bruxelles", "fr-BE", "Europe/Brussels"),
]
CATEGORIES = ["tops", "shoes", "bags", "accessories", "beauty", "home"]


def _email(n: int, rng: random.Random) -> str:
    return f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower()}{n}@{rng.choice(DOMAINS)}"


def generate_customers(path: Path, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Write the customers file; returns (email, shopify id or '') per customer."""
    people: list[tuple[str, str]] = []
    with path.open("w", encoding="utf-8", newline="") as stream:
        out = csv.DictWriter(stream, CUSTOMER_COLUMNS)
        out.writeheader()
        for n in range(count):
            roll = rng.random()
            if roll < 0.02 and people:  # a duplicate: another spelling of a known email
                email, _ = rng.choice(people)
                out.writerow({"email": email.upper(), "last_name": rng.choice(LAST)})
                continue
            country, city, locale, zone = rng.choice(PLACES)
            email = _email(n, rng)
            shopify = str(500_000 + n) if rng.random() < 0.5 else ""
            row = {
                "email": email,
                "first_name": rng.choice(FIRST),
                "last_name": rng.choice(LAST),
                "gender": rng.choice(["FEMALE", "MALE", "OTHER", ""]),
                "country": country,
                "city": city,
                "locale": locale,
                "timezone": zone,
                "created_at": (NOW - timedelta(days=rng.randint(30, 1800))).date().isoformat(),
            }
            if rng.random() < 0.7:
                row["phone"] = f"+336{rng.choice('124578')}{rng.randint(0, 9_999_999):07d}"
            if rng.random() < 0.6:
                row["birthday"] = f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-15"
            if shopify:
                row["identity_channel"], row["identity_external_id"] = "shopify", shopify
            if rng.random() < 0.6:
                row["email_consent"] = rng.choice(["SUBSCRIBED", "UNSUBSCRIBED"])
            if rng.random() < 0.3:
                row["sms_consent"] = rng.choice(["SUBSCRIBED", "UNSUBSCRIBED", "PENDING"])
            if roll > 0.99:  # an invalid row
                row["email" if rng.random() < 0.5 else "phone"] = "not valid"
            else:
                people.append((email, shopify))
            out.writerow(row)
    return people


def generate_orders(
    path: Path, count: int, people: list[tuple[str, str]], rng: random.Random
) -> int:
    """Write the orders file (one row per line); returns the number of rows."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        out = csv.DictWriter(stream, ORDER_COLUMNS)
        out.writeheader()
        for n in range(count):
            email, shopify = rng.choice(people)
            roll = rng.random()
            ref: dict[str, str] = {"customer_email": email}
            if roll < 0.05:
                ref = {"customer_email": f"guest{rng.randint(0, count // 20)}@example.org"}
            elif roll < 0.30 and shopify:
                ref = {
                    "customer_identity_channel": "shopify",
                    "customer_identity_external_id": shopify,
                }
            lines = [
                (f"SKU-{rng.randint(1, 500):03d}", rng.randint(1, 3), rng.randint(500, 15_000))
                for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))
            ]
            total = sum(quantity * price for _, quantity, price in lines)
            currency = "USD" if rng.random() < 0.1 else "EUR"
            head = {
                "channel": rng.choice(("web", "shopify", "amazon")),
                "external_id": str(1_000_000 + n),
                **ref,
                "placed_at": (NOW - timedelta(minutes=rng.randint(60, 730 * 24 * 60))).isoformat(),
                "currency": currency,
                "total": f"{total / 100:.2f}",
                "base_total": f"{total * 0.92 / 100:.2f}" if currency == "USD" else "",
                "status": rng.choices(
                    ("PAID", "FULFILLED", "REFUNDED", "CANCELLED"), (85, 10, 3, 2)
                )[0],
            }
            for position, (sku, quantity, price) in enumerate(lines):
                row = (
                    dict(head)
                    if position == 0
                    else {"channel": head["channel"], "external_id": head["external_id"]}
                )
                row.update(
                    sku=sku,
                    name=f"Product {sku}",
                    quantity=str(quantity),
                    unit_price=f"{price / 100:.2f}",
                    category=rng.choice(CATEGORIES),
                )
                out.writerow(row)
                rows += 1
    return rows


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=300_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    problem = backends.postgres_problem()
    if problem:
        sys.exit(problem)
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="patronage-bench-") as tmp:
        started = time.perf_counter()
        customers_csv, orders_csv = Path(tmp) / "customers.csv", Path(tmp) / "orders.csv"
        people = generate_customers(customers_csv, args.customers, rng)
        order_rows = generate_orders(orders_csv, args.orders, people, rng)
        print(
            f"generated {args.customers:,} customer rows and {args.orders:,} orders "
            f"({order_rows:,} rows) in {time.perf_counter() - started:.1f} s"
        )
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        url = backends.create_database()
        async_url = "postgresql+asyncpg://" + url.split("://", 1)[1]
        try:
            asyncio.run(_migrate(async_url))
            settings = Settings(database_url=async_url, secret_key="b" * 32)
            total_rows, total_seconds = 0, 0.0
            for kind, path in (
                (ImportKind.CUSTOMERS, customers_csv),
                (ImportKind.ORDERS, orders_csv),
            ):
                began = time.perf_counter()  # reading and hashing the file included
                source = CsvFile.open(path, kind)
                outcome = asyncio.run(
                    run_import(settings, source, batch_size=args.batch_size, workers=args.workers)
                )
                seconds = time.perf_counter() - began
                counts = outcome.run.counts
                total_rows += counts.rows
                total_seconds += seconds
                print(
                    f"{kind:9} {counts.rows:>9,} rows in {seconds:6.1f} s = "
                    f"{counts.rows / seconds:>8,.0f} rows/s  ({counts.as_dict()})"
                )
            print(
                f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on "
                f"{os.cpu_count()} CPUs (PostgreSQL on the same machine)"
            )
            print(
                f"{'total':9} {total_rows:>9,} rows in {total_seconds:6.1f} s = "
                f"{total_rows / total_seconds:>8,.0f} rows/s "
                f"(batch size {args.batch_size}, {args.workers} parsing worker(s))"
            )
        finally:
            backends.drop_database(url)


if __name__ == "__main__":
    main()
