"""Member status through GraphQL against a plain Starlette endpoint running the same SQL.

    .venv/bin/python bench/member_status.py [--members 100000] [--requests 4000]
        [--concurrency 16] [--record]

On PostgreSQL (PATRONAGE_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/
postgres) it creates a scratch database, migrates it and loads `--members` members with
COPY (tiers, memberships, orders in the qualifying window, earned lots of which some expire
within 30 days, balance rows). Then it starts two uvicorn processes on loopback:

- the real API (`api.app.create_app`) answering
  `me { membership { tier progress ... } points { balance expiringSoon ... } }`
  for a customer token;
- a plain Starlette endpoint that verifies the same token and runs the same read functions
  (`customers_by_id`, `membership_statuses`, `points_statuses`: the same four statements)
  and writes the same JSON by hand.

The same small asyncio HTTP/1.1 keep-alive client (bounded by request count and time)
drives both, alternating, and the requests per second of each, and their ratio, are
printed (and with --record written to docs/benchmarks.md). The database is dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID, uuid4

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import orjson  # noqa: E402

SECRET = "benchmark-secret-key-0123456789abcdef-member-status"
ADMIN_URL = os.environ.get(
    "PATRONAGE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
QUERY = (
    "query MemberStatus { me { membership { tier { code name rank benefits multiplier } "
    "tierSince holdUntil progress { nextTier remaining deadline } } "
    "points { balance lifetimeEarned expiringSoon { amount date } } } }"
)
TIER_MIX = (("MEMBER", 0.70), ("SILVER", 0.20), ("GOLD", 0.08), ("PLATINUM", 0.02))
SECTION = "member-status"


# -- data ------------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def create_database() -> str:
    name = f"patronage_bench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _with_database(ADMIN_URL, name)


async def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def migrate(url: str) -> None:
    from persistence.db import make_engine
    from persistence.migrate import upgrade

    engine = make_engine("postgresql+asyncpg://" + url.split("://", 1)[1])
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def load_members(url: str, members: int, seed: int = 7) -> list[UUID]:
    """Members with tiers, orders, lots and balances, written with COPY."""
    from domain.loyalty.tiers import default_tiers

    rng = random.Random(seed)
    now = datetime.now(UTC)
    codes = [code for code, _ in TIER_MIX]
    weights = [w for _, w in TIER_MIX]
    customers, memberships, orders, entries, lots, accounts = [], [], [], [], [], []
    ids: list[UUID] = []
    for n in range(members):
        cid = uuid4()
        ids.append(cid)
        created = now - timedelta(days=rng.randint(30, 1500))
        email = f"member{n}@bench.example"
        customers.append((cid, created, created, email, email, "{}", "{}"))
        tier = rng.choices(codes, weights)[0]
        hold = None if tier == "MEMBER" else (now + timedelta(days=rng.randint(1, 365))).date()
        memberships.append((cid, tier, now - timedelta(days=rng.randint(1, 300)), hold, 1))
        for k in range(rng.randint(1, 3)):
            placed = now - timedelta(days=rng.uniform(1, 360))
            amount = rng.randint(1_000, 80_000)
            orders.append(
                (
                    uuid4(),
                    "web",
                    f"{n}-{k}",
                    cid,
                    "PAID",
                    placed,
                    "EUR",
                    amount,
                    amount,
                    placed,
                    placed,
                )
            )
        balance = 0
        for _ in range(rng.randint(1, 4)):
            earned = now - timedelta(days=rng.uniform(1, 364))
            points = rng.randint(10, 900)
            balance += points
            entry_id, lot_id = uuid4(), uuid4()
            entries.append(
                (
                    entry_id,
                    cid,
                    "EARN",
                    points,
                    "order",
                    "system",
                    "ORDER",
                    str(entry_id),
                    f"bench:{entry_id}",
                    "",
                    earned,
                    balance,
                    0,
                    lot_id,
                )
            )
            lots.append(
                (lot_id, cid, entry_id, points, points, earned, earned + timedelta(days=365))
            )
        accounts.append((cid, balance, balance, 1))

    conn = await asyncpg.connect(url)
    try:
        await conn.executemany(
            "INSERT INTO tiers (id, code, name, rank, metric, threshold, multiplier, benefits,"
            " hold_months) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [
                (
                    t.id,
                    t.code,
                    t.name,
                    t.rank,
                    t.metric.value,
                    t.threshold,
                    t.multiplier,
                    orjson.dumps(list(t.benefits)).decode(),
                    t.hold_months,
                )
                for t in default_tiers()
            ],
        )
        copies: list[tuple[str, list[str], list[tuple[Any, ...]]]] = [
            (
                "customers",
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "email",
                    "email_key",
                    "public_metadata",
                    "private_metadata",
                ],
                customers,
            ),
            (
                "memberships",
                ["customer_id", "tier_code", "tier_since", "hold_until", "version"],
                memberships,
            ),
            (
                "orders",
                [
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
                ],
                orders,
            ),
            (
                "points_entries",
                [
                    "id",
                    "customer_id",
                    "kind",
                    "points",
                    "reason",
                    "actor",
                    "source_kind",
                    "source_id",
                    "idempotency_key",
                    "fingerprint",
                    "created_at",
                    "balance_after",
                    "shortfall",
                    "lot_id",
                ],
                entries,
            ),
            (
                "points_lots",
                ["id", "customer_id", "entry_id", "points", "remaining", "earned_at", "expires_at"],
                lots,
            ),
            ("points_accounts", ["customer_id", "balance", "lifetime_earned", "version"], accounts),
        ]
        for table, columns, records in copies:
            await conn.copy_records_to_table(table, records=records, columns=columns)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return ids


# -- servers ---------------------------------------------------------------------------


def settings_for(url: str) -> Any:
    from patronage.settings import Settings

    return Settings(
        database_url="postgresql+asyncpg://" + url.split("://", 1)[1],
        secret_key=SECRET,
        log_level="WARNING",
        customer_token_ttl=timedelta(hours=2),
    )


def plain_app(url: str) -> Any:
    """The floor: token check, the same read functions on one connection, JSON by hand."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from api.tokens import CustomerTokens
    from patronage.clock import SystemClock
    from patronage.loyalty import loyalty_program
    from persistence.db import make_engine
    from persistence.queries.customers import customers_by_id
    from persistence.queries.loyalty import membership_statuses, points_statuses

    settings = settings_for(url)
    engine = make_engine(settings.database_url)
    tokens = CustomerTokens(settings.secret_key, settings.customer_token_ttl)
    program, clock = loyalty_program(settings), SystemClock()

    async def status(request: Request) -> Response:
        _, _, token = request.headers.get("authorization", "").partition(" ")
        customer_id = tokens.verify(token)
        if customer_id is None:
            return JSONResponse({"error": "unauthenticated"}, status_code=401)
        now = clock.now()
        async with engine.connect() as conn:
            view = (await customers_by_id(conn, [customer_id])).get(customer_id)
            membership = (await membership_statuses(conn, [customer_id], program, now)).get(
                customer_id
            )
            points = (await points_statuses(conn, [customer_id], program, now)).get(customer_id)
        if view is None or membership is None:
            return Response(orjson.dumps({"data": {"me": None}}), media_type="application/json")
        tier, progress = membership.tier, membership.progress
        body = {
            "data": {
                "me": {
                    "membership": {
                        "tier": {
                            "code": tier.code,
                            "name": tier.name,
                            "rank": tier.rank,
                            "benefits": list(tier.benefits),
                            "multiplier": float(tier.multiplier),
                        },
                        "tierSince": membership.tier_since.isoformat(),
                        "holdUntil": membership.hold_until.isoformat()
                        if membership.hold_until
                        else None,
                        "progress": {
                            "nextTier": progress.next_tier,
                            "remaining": progress.remaining,
                            "deadline": progress.deadline.isoformat(),
                        }
                        if progress
                        else None,
                    },
                    "points": {
                        "balance": points.balance if points else 0,
                        "lifetimeEarned": points.lifetime_earned if points else 0,
                        "expiringSoon": [
                            {"amount": e.amount, "date": e.date.isoformat()}
                            for e in (points.expiring_soon if points else ())
                        ],
                    },
                }
            }
        }
        return Response(orjson.dumps(body), media_type="application/json")

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[Route("/member-status", status, methods=["POST"]), Route("/healthz", healthz)]
    )


def graphql_app(url: str) -> Any:
    from api.app import create_app
    from patronage.runtime import build_runtime

    runtime = build_runtime(settings_for(url))
    return create_app(runtime.services, on_shutdown=runtime.close)


def serve(kind: str, url: str, port: int) -> None:
    import logging

    import uvicorn

    logging.basicConfig(level=logging.WARNING)

    async def main() -> None:
        app = graphql_app(url) if kind == "graphql" else plain_app(url)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
        await uvicorn.Server(config).serve()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(kind: str, url: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "serve", kind, "--database-url", url, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the {kind} server did not start") from None
            time.sleep(0.2)


# -- load ------------------------------------------------------------------------------

_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


@dataclass
class Run:
    requests: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def requests_for(path: str, port: int, tokens: list[str]) -> list[bytes]:
    body = orjson.dumps({"query": QUERY})
    return [
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for token in tokens
    ]


async def drive(port: int, raw: list[bytes], count: int, seconds: float, workers: int) -> Run:
    """Send up to `count` requests within `seconds` over `workers` keep-alive connections."""
    sent = 0
    checked: list[bytes] = []
    deadline = time.monotonic() + seconds

    async def worker() -> int:
        nonlocal sent
        done = 0
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while sent < count and time.monotonic() < deadline:
                request = raw[sent % len(raw)]
                sent += 1
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(f"unexpected response: {head[:200]!r}")
                match = _LENGTH.search(head)
                assert match is not None, head
                body = await reader.readexactly(int(match.group(1)))
                if len(checked) < workers:
                    checked.append(body)
                done += 1
        finally:
            writer.close()
        return done

    started = time.perf_counter()
    done = sum(await asyncio.gather(*(worker() for _ in range(workers))))
    elapsed = time.perf_counter() - started
    for body in checked:
        parsed = orjson.loads(body)
        if "errors" in parsed or not parsed["data"]["me"]["membership"]["tier"]["code"]:
            raise RuntimeError(f"bad answer: {body[:300]!r}")
    return Run(done, elapsed)


# -- report ----------------------------------------------------------------------------


def record(text: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    start, end = f"<!-- bench:{SECTION} -->", f"<!-- /bench:{SECTION} -->"
    block = f"{start}\n{text.rstrip()}\n{end}"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        _, after = rest.split(end, 1)
        updated = before + block + after
    else:
        updated = current.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(exist_ok=True)
    path.write_text(updated)


async def run(args: argparse.Namespace) -> None:
    from api.tokens import CustomerTokens

    url = await create_database()
    servers: list[subprocess.Popen[bytes]] = []
    try:
        print(f"database {urlsplit(url).path.lstrip('/')}: migrating", flush=True)
        await migrate(url)
        started = time.perf_counter()
        ids = await load_members(url, args.members)
        print(
            f"loaded {len(ids)} members with COPY in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        issuer = CustomerTokens(SECRET, timedelta(hours=2))
        sample = random.Random(11).sample(ids, min(len(ids), 5_000))
        tokens = [issuer.issue(cid, issued_by=uuid4(), now=datetime.now(UTC))[0] for cid in sample]
        graphql, graphql_port = start("graphql", url)
        plain, plain_port = start("plain", url)
        servers += [graphql, plain]
        targets = {
            "graphql": (graphql_port, requests_for("/graphql", graphql_port, tokens)),
            "plain": (plain_port, requests_for("/member-status", plain_port, tokens)),
        }
        for name, (port, raw) in targets.items():
            await drive(port, raw, args.warmup, args.seconds, args.concurrency)
            print(f"warmed up {name}", flush=True)
        runs: dict[str, list[Run]] = {"graphql": [], "plain": []}
        for _ in range(args.rounds):
            for name in ("plain", "graphql"):
                port, raw = targets[name]
                result = await drive(port, raw, args.requests, args.seconds, args.concurrency)
                runs[name].append(result)
                print(
                    f"  {name:8} {result.requests} requests in {result.seconds:.2f} s: "
                    f"{result.rate:,.0f} req/s",
                    flush=True,
                )
    finally:
        for process in servers:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        await drop_database(url)

    rate = {name: sum(r.rate for r in rs) / len(rs) for name, rs in runs.items()}
    ratio = rate["graphql"] / rate["plain"]
    print(f"GraphQL  {rate['graphql']:,.0f} req/s")
    print(f"plain    {rate['plain']:,.0f} req/s")
    print(f"ratio    {ratio:.0%} (target >= 50%)")
    if args.record:
        rounds = {name: ", ".join(f"{r.rate:,.0f}" for r in rs) for name, rs in runs.items()}
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        today = datetime.now(UTC).date().isoformat()
        command = (
            f".venv/bin/python bench/member_status.py --members {args.members} "
            f"--requests {args.requests} --concurrency {args.concurrency} "
            f"--rounds {args.rounds} --record"
        )
        record(
            f"""## Member status (loyalty)

Requests per second of the member-status query for apps (tier, progress, balance,
points expiring soon) through GraphQL, against a plain Starlette endpoint that verifies
the same customer token and runs the same SQL (same read functions, four statements),
on PostgreSQL with {args.members:,} members, one uvicorn process each, driven alike by a
keep-alive asyncio client on loopback ({args.concurrency} connections, {args.requests:,}
requests per round, {args.rounds} rounds alternating, mean shown).

| Endpoint | req/s |
|---|---|
| GraphQL `me {{ membership {{ ... }} points {{ ... }} }}` | {rate["graphql"]:,.0f} |
| Plain Starlette, same SQL | {rate["plain"]:,.0f} |
| **GraphQL / plain** | **{ratio:.0%}** (target >= 50 %) |

Rounds (req/s): plain {rounds["plain"]}; GraphQL {rounds["graphql"]}. Measured
{today} on {os.cpu_count()} CPUs shared by PostgreSQL, both servers and the
client (load average {load}), so absolute figures are low and vary between rounds; the
ratio of the two, measured under the same conditions, is the figure of merit. The GraphQL
side checks out two pooled connections per request (the customer loader and the member
status loader) where the plain endpoint checks out one; each checkout costs a pre-ping,
BEGIN and ROLLBACK round trip with the engine's settings.

Reproduce (PostgreSQL at `PATRONAGE_BENCH_POSTGRES_URL`, default
`postgresql://postgres@127.0.0.1:5432/postgres`):

```
{command}
```
"""
        )
        print("recorded in docs/benchmarks.md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    sub = parser.add_subparsers(dest="command")
    server = sub.add_parser("serve", help="(internal) serve one side of the comparison")
    server.add_argument("kind", choices=["graphql", "plain"])
    server.add_argument("--database-url", required=True)
    server.add_argument("--port", type=int, required=True)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=4_000, help="requests per round")
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit per round")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.kind, args.database_url, args.port)
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
