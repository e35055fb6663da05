"""The scheduler fires cron schedules in the store's time zone, once across many workers."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis

from jobs.scheduler import LocalFireLock, RedisFireLock, Schedule, Scheduler, fires_between


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now_value = now

    def now(self) -> datetime:
        return self.now_value


def test_cron_is_read_in_the_store_time_zone() -> None:
    nightly = Schedule("nightly", "30 2 * * *", "x")
    zone = ZoneInfo("Europe/Paris")
    fires = fires_between(
        nightly,
        zone,
        datetime(2026, 7, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 7, 2, 0, 0, tzinfo=UTC),
    )
    assert [f.astimezone(UTC) for f in fires] == [datetime(2026, 7, 1, 0, 30, tzinfo=UTC)]


def test_an_invalid_cron_is_refused() -> None:
    with pytest.raises(ValueError, match="invalid cron"):
        Schedule("bad", "61 * * * *", "x")


async def _two_schedulers(lock_a: Any, lock_b: Any) -> tuple[list[Any], list[Any], list[str]]:
    sent: list[str] = []
    start = datetime(2026, 3, 1, 10, 0, 30, tzinfo=UTC)
    clock = Clock(start)
    every_minute = [Schedule("tick", "* * * * *", "system.tick")]
    a = Scheduler(
        every_minute,
        zone=ZoneInfo("UTC"),
        lock=lock_a,
        send=lambda n, k: sent.append(n),
        now=clock.now,
    )
    b = Scheduler(
        every_minute,
        zone=ZoneInfo("UTC"),
        lock=lock_b,
        send=lambda n, k: sent.append(n),
        now=clock.now,
    )
    clock.now_value = start + timedelta(minutes=3)
    fired_a = await a.run_once()
    fired_b = await b.run_once()
    return fired_a, fired_b, sent


async def test_each_fire_is_enqueued_once_with_a_shared_local_lock() -> None:
    lock = LocalFireLock()
    fired_a, fired_b, sent = await _two_schedulers(lock, lock)
    assert len(fired_a) == 3
    assert fired_b == []
    assert sent == ["system.tick"] * 3


@pytest.mark.redis
async def test_only_one_of_many_workers_fires_through_the_redis_lock(redis_url: str) -> None:
    prefix = f"patronage-test:{secrets.token_hex(4)}:"
    client_a, client_b = aioredis.Redis.from_url(redis_url), aioredis.Redis.from_url(redis_url)
    try:
        fired_a, fired_b, sent = await _two_schedulers(
            RedisFireLock(client_a, prefix), RedisFireLock(client_b, prefix)
        )
        assert len(fired_a) + len(fired_b) == 3
        assert len(sent) == 3
    finally:
        await client_a.aclose()
        await client_b.aclose()


async def test_nothing_fires_before_it_is_due() -> None:
    clock = Clock(datetime(2026, 3, 1, 10, 0, 30, tzinfo=UTC))
    sent: list[str] = []
    scheduler = Scheduler(
        [Schedule("hourly", "0 * * * *", "x")],
        zone=ZoneInfo("UTC"),
        lock=LocalFireLock(),
        send=lambda n, k: sent.append(n),
        now=clock.now,
    )
    clock.now_value += timedelta(minutes=20)
    assert await scheduler.run_once() == []
    clock.now_value += timedelta(minutes=40)
    assert len(await scheduler.run_once()) == 1
