"""The nightly steps on real databases: evaluation in batches, actors and the CLI."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from dramatiq import Worker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.bus import EventHandlers
from domain.loyalty.ledger import PointsAccount, Posting, birthday_key
from domain.loyalty.membership import Membership
from domain.loyalty.membership_services import evaluate_memberships
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.tiers import TierLadder, default_tiers
from jobs import runtime
from jobs.broker import make_jobs
from jobs.context import JobServices
from patronage.clock import SystemClock
from patronage.settings import Settings
from persistence.db import make_engine
from persistence.loyalty import RepeatableUnitOfWork
from persistence.tables.loyalty import memberships, points_accounts, points_entries
from persistence.unit_of_work import NullPublisher
from tests.integration.loyalty.support import insert_customer, insert_order, plain_uow
from tests.support.servers import cli, environment
from tests.unit.fakes import FixedClock

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def _member(engine: AsyncEngine, tier: str, hold_until: date) -> UUID:
    ladder = TierLadder(default_tiers())
    customer_id = await insert_customer(engine)
    async with plain_uow(engine) as uow:
        if not await uow.tiers.list():
            for t in ladder.tiers:
                await uow.tiers.add(t)
        membership = Membership.begin(customer_id, ladder, NOW - timedelta(days=500))
        membership.assign(ladder, ladder.get(tier), NOW - timedelta(days=500), hold_until)
        await uow.memberships.add(membership)
        await uow.commit()
    return customer_id


async def _tier(engine: AsyncEngine, customer_id: UUID) -> tuple[str, date | None]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(memberships.c.tier_code, memberships.c.hold_until).where(
                    memberships.c.customer_id == customer_id
                )
            )
        ).one()
    return row.tier_code, row.hold_until


async def test_the_evaluation_downgrades_after_the_hold_in_batches(engine: AsyncEngine) -> None:
    # Given two GOLD members past their hold (one still spending enough for SILVER)
    # and one still held
    lapsed = await _member(engine, "GOLD", date(2026, 5, 1))
    earning = await _member(engine, "GOLD", date(2026, 5, 2))
    held = await _member(engine, "GOLD", date(2026, 6, 30))
    await insert_order(engine, earning, 60_000, "PAID", NOW - timedelta(days=30))

    # When the evaluation runs for 1 June, one member per transaction
    report = await evaluate_memberships(
        RepeatableUnitOfWork(lambda: plain_uow(engine)),
        FixedClock(NOW),
        LoyaltyProgram(),
        date(2026, 6, 1),
        batch_size=1,
    )

    # Then the lapsed member is MEMBER, the earning one SILVER (held a year), the held
    # one still GOLD
    assert (report.reviewed, report.downgraded, report.upgraded) == (2, 2, 0)
    assert await _tier(engine, lapsed) == ("MEMBER", None)
    assert await _tier(engine, earning) == ("SILVER", date(2027, 6, 1))
    assert await _tier(engine, held) == ("GOLD", date(2026, 6, 30))
    # And a second run for the same day finds nothing to do
    again = await evaluate_memberships(
        RepeatableUnitOfWork(lambda: plain_uow(engine)),
        FixedClock(NOW),
        LoyaltyProgram(),
        date(2026, 6, 1),
    )
    assert again.reviewed == 0


async def _wait_for(check: Callable[[], Awaitable[bool]], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.1)
    return False


async def test_the_actors_expire_points_and_award_birthdays(
    engine: AsyncEngine, settings: Settings
) -> None:
    birthday_girl = await insert_customer(engine, birthday=date(1990, 5, 1))
    spender = await insert_customer(engine)
    async with plain_uow(engine) as uow:
        account = PointsAccount(customer_id=spender)
        account.earn(
            40,
            Posting(reason="t", actor="t", source=None, idempotency_key="x1"),
            now=NOW - timedelta(days=60),
            expires_at=NOW - timedelta(days=1),
        )
        await uow.points.add(account)
        await uow.commit()
    runtime.configure(
        lambda: JobServices(
            settings=settings,
            engine=make_engine(settings.database_url),
            handlers=EventHandlers(),
            publisher=NullPublisher(),
            clock=SystemClock(),
        )
    )
    jobs = make_jobs(settings)
    worker = Worker(jobs.broker, worker_threads=1)
    worker.start()
    try:
        jobs.send("loyalty.expire_points", as_of=NOW.isoformat())
        jobs.send("loyalty.award_birthday_bonuses", on="2026-05-01")
        jobs.send("loyalty.evaluate_memberships", as_of="2026-06-01")

        async def done() -> bool:
            async with engine.connect() as conn:
                balances = dict(
                    (
                        await conn.execute(
                            select(points_accounts.c.customer_id, points_accounts.c.balance)
                        )
                    ).all()
                )
                keys = set((await conn.execute(select(points_entries.c.idempotency_key))).scalars())
            return balances.get(spender) == 0 and birthday_key(birthday_girl, 2026) in keys

        assert await _wait_for(done)
    finally:
        worker.stop()
        jobs.close()
    async with engine.connect() as conn:
        balance = (
            await conn.execute(
                select(points_accounts.c.balance).where(
                    points_accounts.c.customer_id == birthday_girl
                )
            )
        ).scalar_one()
    assert balance == LoyaltyProgram().birthday_bonus


def test_the_cli_runs_the_nightly_steps(tmp_path: Path) -> None:
    env = environment(f"sqlite:///{tmp_path}/cli.db", None)
    cli(["migrate"], env)
    assert "0 reviewed" in _stderr(["loyalty", "evaluate", "--as-of", "2026-06-01"], env)
    assert "expired 0 points on 0 accounts" in _stderr(["loyalty", "expire"], env)
    assert "credited to 0 customers for 2026-05-01" in _stderr(
        ["loyalty", "birthdays", "--on", "2026-05-01"], env
    )
    assert _exit_code(["loyalty", "evaluate", "--as-of", "June"], env) == 2


def test_the_cli_refuses_to_evaluate_as_of_a_future_date(tmp_path: Path) -> None:
    # Qualifying activity is today's: a later date would downgrade members whose hold
    # has not ended yet, and print a normal-looking report.
    env = environment(f"sqlite:///{tmp_path}/cli.db", None)
    cli(["migrate"], env)
    later = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()

    done = _run(["loyalty", "evaluate", "--as-of", later], env)

    assert done.returncode == 2
    assert "--as-of must be today" in done.stderr and later in done.stderr
    assert "reviewed" not in done.stderr
    today = datetime.now(UTC).date().isoformat()
    assert "0 reviewed" in _stderr(["loyalty", "evaluate", "--as-of", today], env)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "patronage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _stderr(args: list[str], env: dict[str, str]) -> str:
    done = _run(args, env)
    assert done.returncode == 0, done.stderr
    return done.stderr


def _exit_code(args: list[str], env: dict[str, str]) -> int:
    return _run(args, env).returncode
