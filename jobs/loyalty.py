"""Loyalty's nightly steps as actors: tier evaluation, points expiry, birthday bonuses.

Each is idempotent for its date (a re-run finds nothing left to do) and commits in
batches, so a failed run resumes where it stopped when run again. Like every cron job
they do not retry on their own; the nightly run (scheduled later) sends them.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from domain.loyalty.membership_services import evaluate_memberships
from domain.loyalty.nightly import award_birthday_bonuses, expire_points
from jobs import runtime
from jobs.registry import actor
from patronage.loyalty import loyalty_program, store_today
from persistence.loyalty import RepeatableUnitOfWork

log = logging.getLogger(__name__)


@actor("loyalty.evaluate_memberships", max_retries=0)
async def evaluate_memberships_job(as_of: str | None = None) -> int:
    """Move members whose hold has ended to the tier they still qualify for; returns how
    many were reviewed. `as_of`: an ISO date, default today in the store's time zone."""
    svc = runtime.services()
    day = date.fromisoformat(as_of) if as_of else store_today(svc.settings, svc.clock)
    report = await evaluate_memberships(
        RepeatableUnitOfWork(svc.uow), svc.clock, loyalty_program(svc.settings), day
    )
    log.info(
        "memberships evaluated for %s: %d reviewed, %d downgraded, %d upgraded",
        day,
        report.reviewed,
        report.downgraded,
        report.upgraded,
    )
    return report.reviewed


@actor("loyalty.expire_points", max_retries=0)
async def expire_points_job(as_of: str | None = None) -> int:
    """Expire every lot due by `as_of` (an ISO datetime, default now); returns the points."""
    svc = runtime.services()
    moment = datetime.fromisoformat(as_of) if as_of else svc.clock.now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    report = await expire_points(svc.uow(), svc.clock, moment)
    log.info(
        "points expired as of %s: %d points on %d accounts", moment, report.points, report.accounts
    )
    return report.points


@actor("loyalty.award_birthday_bonuses", max_retries=0)
async def award_birthday_bonuses_job(on: str | None = None) -> int:
    """Credit the birthday bonus to everyone whose birthday is `on` (an ISO date, default
    today in the store's time zone), once a year; returns how many were credited."""
    svc = runtime.services()
    day = date.fromisoformat(on) if on else store_today(svc.settings, svc.clock)
    credited = await award_birthday_bonuses(
        RepeatableUnitOfWork(svc.uow), svc.clock, loyalty_program(svc.settings), day
    )
    log.info("birthday bonuses for %s: %d credited", day, credited)
    return credited
