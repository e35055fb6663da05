"""`patronage segments ...`: segment commands run outside a server."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

segments_app = typer.Typer(help="Saved segments.", no_args_is_help=True)
err = Console(stderr=True, soft_wrap=True)  # one line per segment, however long


@segments_app.command("reevaluate")
def reevaluate(
    segment: Annotated[
        list[str] | None,
        typer.Option(help="A segment id (UUID or global id); repeat it; default: all."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Store-local date YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Re-evaluate saved segments: store their members, report who entered and left."""
    from patronage.cli import _logging, _settings

    settings = _settings()
    _logging(settings)
    try:
        ids = [_segment_id(raw) for raw in segment] if segment else None
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    failed = asyncio.run(_reevaluate(settings, ids, day))
    raise typer.Exit(1 if failed else 0)


def _segment_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        from api.relay import InvalidGlobalId, decode_id

        try:
            return decode_id(raw, "Segment")
        except InvalidGlobalId:
            raise ValueError(f"not a segment id: {raw!r}") from None


async def _reevaluate(settings: object, ids: list[UUID] | None, day: date | None) -> int:
    """Run and print one line per segment; returns how many were skipped or not found."""
    from domain.errors import DomainError
    from domain.segments.membership import reevaluate_segment
    from patronage.runtime import build_runtime
    from patronage.settings import Settings
    from persistence.stepped import SteppedUnitOfWork

    assert isinstance(settings, Settings)
    runtime = build_runtime(settings)
    failed = 0
    try:
        services = runtime.services
        as_of = day or services.clock.now().astimezone(settings.zone).date()
        uow = SteppedUnitOfWork(services.uow)
        if ids is None:
            async with uow:
                ids = await uow.segments.all_ids()
        evaluated = 0
        for segment_id in ids:
            try:
                outcome = await reevaluate_segment(uow, segment_id, as_of=as_of)
            except DomainError as error:
                failed += 1
                err.print(f"{segment_id}: [red]{error.message}[/red]")
                continue
            label = f"{outcome.name or '?'} ({segment_id})"
            if outcome.problem:
                failed += 1
                err.print(f"{label}: [yellow]skipped[/yellow]: {outcome.problem}")
            else:
                evaluated += 1
                err.print(f"{label}: +{outcome.entered} -{outcome.left}")
        err.print(
            f"{evaluated} segment(s) re-evaluated, {failed} skipped or not found, "
            f"as of {as_of.isoformat()}"
        )
    finally:
        await runtime.close()
    return failed
