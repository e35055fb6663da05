"""`patronage loyalty ...`: the loyalty steps of the nightly run, by hand.

The same use cases the jobs run (jobs/loyalty.py); each is idempotent for its date.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated

import typer
from rich.console import Console

from patronage.settings import Settings

loyalty_app = typer.Typer(
    help="Loyalty: tier evaluation, points expiry and birthday bonuses.", no_args_is_help=True
)
out = Console(stderr=True)


def _settings() -> Settings:
    from patronage.cli import _settings as read

    return read()


def _day(raw: str | None, name: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        out.print(f"[red]{name} must be a date such as 2026-11-30, got {raw!r}[/red]")
        raise typer.Exit(2) from None


@loyalty_app.command("evaluate")
def evaluate(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Evaluate as of this date, today or earlier (default: today, store time).",
        ),
    ] = None,
) -> None:
    """Downgrade (or extend) members whose hold ended, to the tier they still qualify for."""
    settings = _settings()
    day = _day(as_of, "--as-of")
    if day is not None:
        from patronage.clock import SystemClock
        from patronage.loyalty import store_today

        today = store_today(settings, SystemClock())
        if day > today:
            # Qualifying values are today's: a later date would downgrade members whose
            # hold has not ended yet.
            out.print(
                f"[red]--as-of must be today ({today}, store time) or earlier, got {day}: "
                "the evaluation only knows today's qualifying activity[/red]"
            )
            raise typer.Exit(2)

    async def main() -> str:
        from domain.loyalty.membership_services import evaluate_memberships
        from patronage.loyalty import loyalty_program, store_today
        from patronage.runtime import build_runtime
        from persistence.loyalty import RepeatableUnitOfWork

        runtime = build_runtime(settings)
        try:
            services = runtime.services
            when = day or store_today(settings, services.clock)
            report = await evaluate_memberships(
                RepeatableUnitOfWork(services.uow), services.clock, loyalty_program(settings), when
            )
            return (
                f"evaluated as of {when}: {report.reviewed} reviewed, "
                f"{report.downgraded} downgraded, {report.upgraded} upgraded"
            )
        finally:
            await runtime.close()

    out.print(asyncio.run(main()))


@loyalty_app.command("expire")
def expire() -> None:
    """Expire every lot of points that is due now (oldest first, set-based)."""
    settings = _settings()

    async def main() -> str:
        from domain.loyalty.nightly import expire_points
        from patronage.runtime import build_runtime

        runtime = build_runtime(settings)
        try:
            services = runtime.services
            report = await expire_points(services.uow(), services.clock, services.clock.now())
            return f"expired {report.points} points on {report.accounts} accounts"
        finally:
            await runtime.close()

    out.print(asyncio.run(main()))


@loyalty_app.command("birthdays")
def birthdays(
    on: Annotated[
        str | None,
        typer.Option("--on", help="Whose birthday is on this date (default: today, store time)."),
    ] = None,
) -> None:
    """Credit the birthday bonus to today's birthdays (once per customer and year)."""
    settings = _settings()
    day = _day(on, "--on")

    async def main() -> str:
        from domain.loyalty.nightly import award_birthday_bonuses
        from patronage.loyalty import loyalty_program, store_today
        from patronage.runtime import build_runtime
        from persistence.loyalty import RepeatableUnitOfWork

        runtime = build_runtime(settings)
        try:
            services = runtime.services
            when = day or store_today(settings, services.clock)
            credited = await award_birthday_bonuses(
                RepeatableUnitOfWork(services.uow), services.clock, loyalty_program(settings), when
            )
            return f"birthday bonus credited to {credited} customers for {when}"
        finally:
            await runtime.close()

    out.print(asyncio.run(main()))
