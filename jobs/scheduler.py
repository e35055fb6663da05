"""Cron schedules in the store's time zone, fired by exactly one of many workers.

Every worker runs the scheduler loop; before enqueueing a fire, a worker takes a lock
named after the schedule and the fire time (Redis `SET NX` with an expiry, or a local
set in the embedded mode). Only the first worker gets it, so a fire is enqueued once
however many workers run. Fires missed while no worker ran are not replayed: each
scheduled job is idempotent for its date and can be started by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis
from croniter import croniter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    """Run `actor` whenever `cron` (5 fields, store time zone) fires."""

    name: str
    cron: str
    actor: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not croniter.is_valid(self.cron):
            raise ValueError(f"schedule {self.name!r}: invalid cron expression {self.cron!r}")


# The schedules every deployment runs; contexts add theirs here.
SCHEDULES: list[Schedule] = [
    Schedule("purge-idempotency-records", "17 * * * *", "system.purge_idempotency_records"),
    Schedule("flag-sla-breaches", "* * * * *", "tickets.flag_sla_breaches"),
]


class FireLock(Protocol):
    """Grants each (schedule, fire time) to one caller only."""

    async def acquire(self, key: str, ttl: timedelta) -> bool: ...


class LocalFireLock:
    """For one process (the embedded mode)."""

    def __init__(self) -> None:
        self._taken: dict[str, datetime] = {}

    async def acquire(self, key: str, ttl: timedelta) -> bool:
        if key in self._taken:
            return False
        self._taken[key] = datetime.now()
        if len(self._taken) > 10_000:
            self._taken.clear()
        return True


class RedisFireLock:
    """Across processes: `SET key 1 NX EX ttl`."""

    def __init__(self, client: aioredis.Redis, prefix: str = "patronage:schedule:") -> None:
        self._client = client
        self._prefix = prefix

    async def acquire(self, key: str, ttl: timedelta) -> bool:
        taken = await self._client.set(
            self._prefix + key, "1", nx=True, ex=max(1, int(ttl.total_seconds()))
        )
        return bool(taken)


def fires_between(
    schedule: Schedule, zone: ZoneInfo, after: datetime, until: datetime
) -> list[datetime]:
    """Fire times of `schedule` in (after, until], as aware datetimes in `zone`."""
    fires: list[datetime] = []
    it = croniter(schedule.cron, after.astimezone(zone))
    while True:
        fire: datetime = it.get_next(datetime)
        if fire > until:
            return fires
        fires.append(fire)


class Scheduler:
    def __init__(
        self,
        schedules: list[Schedule],
        *,
        zone: ZoneInfo,
        lock: FireLock,
        send: Callable[[str, dict[str, Any]], None],
        now: Callable[[], datetime],
        tick: float = 1.0,
    ) -> None:
        self._schedules = schedules
        self._zone = zone
        self._lock = lock
        self._send = send
        self._now = now
        self._tick = tick
        self._last = now()

    async def run_once(self) -> list[tuple[str, datetime]]:
        """Enqueue what fell due since the last call; returns what this instance fired."""
        now = self._now()
        fired: list[tuple[str, datetime]] = []
        for schedule in self._schedules:
            for fire in fires_between(schedule, self._zone, self._last, now):
                key = f"{schedule.name}:{fire.isoformat()}"
                if await self._lock.acquire(key, timedelta(days=1)):
                    self._send(schedule.actor, schedule.kwargs)
                    fired.append((schedule.name, fire))
                    log.info("fired schedule %s for %s", schedule.name, fire.isoformat())
        self._last = now
        return fired

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("scheduler tick failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._tick)
