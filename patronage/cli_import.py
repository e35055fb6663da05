"""`patronage import customers|orders FILE.csv`: bulk import with a progress bar.

Exit codes: 0 when the file was processed (also with rejected rows, and when it had been
imported already), 1 on a fatal error (the committed batches stay; run the same command
again to resume), 2 on bad usage (options, a rejects path that is the file itself, an
unusable file such as a wrong header or a quote never closed, bad settings, a database
not migrated).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from domain.imports.model import MAX_BATCH_SIZE, ImportKind, ImportRun

if TYPE_CHECKING:
    from patronage.settings import Settings

import_app = typer.Typer(
    help="Import customers and orders from CSV files (validated per row, resumable).",
    no_args_is_help=True,
)

out = Console()
err = Console(stderr=True)

FileArgument = Annotated[
    Path,
    typer.Argument(
        exists=True,
        dir_okay=False,
        readable=True,
        help="The CSV file (UTF-8, comma-separated, with a header row).",
    ),
]
BatchSizeOption = Annotated[
    int,
    typer.Option(
        min=1,
        max=MAX_BATCH_SIZE,
        help="Rows per transaction: a failure loses at most the batch in flight.",
    ),
]
RejectsOption = Annotated[
    Path | None,
    typer.Option(
        dir_okay=False,
        help="Where to write the rejected rows with their line and reason "
        "(default: FILE.rejects.csv beside the file).",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        min=0,
        max=32,
        help="Processes that parse and validate rows while the database writes "
        "(0: in the main process; default: the cores beyond one, at most 2).",
    ),
]


@import_app.command("customers")
def import_customers(
    file: FileArgument,
    batch_size: BatchSizeOption = 1000,
    rejects: RejectsOption = None,
    workers: WorkersOption = None,
) -> None:
    """Import customers from a CSV file: one row per customer.

    Rows are folded by email (case-insensitive) or identity: later rows of the same
    person update the fields they give. Columns: email,
    phone, first_name, last_name, gender, birthday, country, region, city, locale,
    timezone, identity_channel, identity_external_id, email_consent, sms_consent,
    created_at. Customers created here get a membership in the lowest tier but no
    sign-up bonus. Re-running the same file resumes it, or does nothing once done."""
    _run(ImportKind.CUSTOMERS, file, batch_size, rejects, workers)


@import_app.command("orders")
def import_orders(
    file: FileArgument,
    batch_size: BatchSizeOption = 1000,
    rejects: RejectsOption = None,
    workers: WorkersOption = None,
) -> None:
    """Import historic orders from a CSV file: one row per order line.

    Consecutive rows of one (channel, external_id) make one order; amounts are in
    decimal major units (129.90). Columns:
    channel, external_id, customer_email, customer_identity_channel,
    customer_identity_external_id, placed_at, currency, total, base_total, status, sku,
    name, quantity, unit_price, category. Unknown customers are created, as orderRecord
    does. Imported orders update customer stats but EARN NO POINTS AND CHANGE NO TIERS
    (they are history). Re-running the same file resumes it, or does nothing once done."""
    _run(ImportKind.ORDERS, file, batch_size, rejects, workers)


def _run(
    kind: ImportKind, file: Path, batch_size: int, rejects: Path | None, workers: int | None
) -> None:
    from domain.imports.errors import InvalidImportFile
    from patronage.importing import CsvFile, default_workers, run_import
    from patronage.settings import Settings, SettingsError

    try:
        settings = Settings.from_env()
    except SettingsError as error:
        err.print(f"[red]configuration error:[/red] {error}")
        raise typer.Exit(2) from None
    if rejects is not None and _same_file(rejects, file):
        err.print(
            f"[red]cannot import {file}:[/red] the rejects file {rejects} is the file being "
            "imported; give --rejects another path"
        )
        raise typer.Exit(2)
    try:
        problem = asyncio.run(_schema_problem(settings))
    except Exception as error:
        err.print(f"[red]cannot reach the database:[/red] {type(error).__name__}: {error}")
        raise typer.Exit(1) from None
    if problem is not None:
        err.print(f"[red]cannot import {file}:[/red] {problem}")
        raise typer.Exit(2)
    try:
        source = CsvFile.open(file, kind)
    except (InvalidImportFile, OSError) as error:
        err.print(f"[red]cannot import {file}:[/red] {getattr(error, 'message', error)}")
        raise typer.Exit(2) from None
    rejects_path = rejects or source.default_rejects_path()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows {task.fields[speed]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
    ) as progress:
        bar = _Bar(
            progress, progress.add_task(f"{kind} {file.name}", total=source.total_rows, speed="")
        )
        try:
            outcome = asyncio.run(
                run_import(
                    settings,
                    source,
                    batch_size=batch_size,
                    workers=default_workers() if workers is None else workers,
                    rejects_path=rejects_path,
                    on_progress=bar.update,
                )
            )
        except KeyboardInterrupt:
            progress.stop()
            _failed(bar.run, "interrupted")
            raise typer.Exit(1) from None
        except Exception as error:
            progress.stop()
            _failed(bar.run, f"{type(error).__name__}: {error}")
            raise typer.Exit(1) from None
    run = outcome.run
    counts = run.counts
    if outcome.already_finished:
        out.print(
            f"{file.name} was already imported as {kind} "
            f"(finished {run.finished_at:%Y-%m-%d %H:%M} UTC, {counts.rows:,} rows): "
            "nothing to do."
        )
        return
    if outcome.resumed_from is not None:
        out.print(f"resumed after line {outcome.resumed_from:,} (an earlier run stopped there)")
    out.print(f"{file.name}: {counts.rows:,} rows")
    out.print(f"  imported            {counts.imported:,}")
    out.print(f"  updated             {counts.updated:,}")
    out.print(f"  unchanged           {counts.unchanged:,}")
    out.print(f"  folded duplicates   {counts.folded:,}")
    out.print(f"  rejected            {counts.rejected:,}")
    if kind is ImportKind.ORDERS:
        out.print(f"  customers created   {counts.customers_created:,}")
    if counts.rejected:
        out.print(f"rejected rows, with their line and reason: {rejects_path}")
    elif rejects_path.exists():
        out.print(f"no rows were rejected ({rejects_path} now holds only its header)")
    else:
        out.print("no rows were rejected")


class _Bar:
    """Moves the progress bar to the run's committed rows, with the rate of this call."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self.progress = progress
        self.task = task
        self.run: ImportRun | None = None
        self.first_rows = 0
        self.started = time.monotonic()

    def update(self, run: ImportRun) -> None:
        if self.run is None:
            self.run, self.first_rows = run, run.counts.rows
        elapsed = time.monotonic() - self.started
        done = run.counts.rows - self.first_rows
        speed = f"({done / elapsed:,.0f}/s)" if done and elapsed > 0 else ""
        self.progress.update(self.task, completed=run.counts.rows, speed=speed)


async def _schema_problem(settings: Settings) -> str | None:
    from persistence.db import make_engine
    from persistence.migrate import schema_problem

    engine = make_engine(settings.database_url)
    try:
        return await schema_problem(engine)
    finally:
        await engine.dispose()


def _same_file(one: Path, other: Path) -> bool:
    """Whether both paths lead to the same file (through symbolic or hard links too)."""
    if one.resolve() == other.resolve():
        return True
    try:
        return one.samefile(other)
    except OSError:  # `one` does not exist (yet)
        return False


def _failed(run: ImportRun | None, reason: str) -> None:
    err.print(f"[red]import failed:[/red] {reason}")
    if run is not None:
        err.print(
            f"committed up to line {run.last_line:,} ({run.counts.rows:,} rows); "
            "run the same command again to resume after it."
        )
