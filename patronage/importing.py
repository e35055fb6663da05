"""Running an import of a CSV file: the file on disk, the SQL store, worker processes.

Used by `patronage import` (cli_import.py) and bench/import.py. The file's SHA-256
identifies the import run, so the same file resumes and a changed file is a new run.
Parsing and validation (about 0.2 ms per customer row: email, phone and the rest) run
in worker processes, one batch ahead of the database writes.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from domain.imports.errors import InvalidImportFile
from domain.imports.model import ImportKind, ImportRun, Rejection, SourceRow, extra_cell
from domain.imports.services import (
    DEFAULT_BATCH_SIZE,
    ImportFile,
    ImportOutcome,
    Progress,
    RejectsWriter,
    import_file,
)
from domain.imports.source import count_rows, read_header, read_rows
from patronage.clock import SystemClock
from patronage.settings import Settings
from persistence.db import make_engine
from persistence.imports import SqlImportStore

ENCODING = "utf-8-sig"  # UTF-8, with or without the BOM spreadsheets write


@dataclass(frozen=True)
class CsvFile:
    """A CSV file checked for an import of `kind`: its columns, SHA-256 and row count."""

    path: Path
    kind: ImportKind
    columns: tuple[str, ...]
    sha256: str
    total_rows: int

    @classmethod
    def open(cls, path: Path, kind: ImportKind) -> CsvFile:
        """Check the header and read the whole file once (its row count, and what makes it
        unusable, such as a quote never closed); InvalidImportFile if it cannot be used."""
        try:
            with path.open(encoding=ENCODING, newline="") as stream:
                columns = read_header(stream, kind)
            with path.open(encoding=ENCODING, newline="") as stream:
                total = count_rows(stream)
        except UnicodeDecodeError as error:
            raise InvalidImportFile(f"the file is not UTF-8 text: {error}") from error
        digest = hashlib.sha256()
        with path.open("rb") as raw:
            for block in iter(lambda: raw.read(1 << 20), b""):
                digest.update(block)
        return cls(path, kind, columns, digest.hexdigest(), total)

    def rows(self) -> Iterator[SourceRow]:
        with self.path.open(encoding=ENCODING, newline="") as stream:
            yield from read_rows(stream, self.kind)

    def default_rejects_path(self) -> Path:
        """customers.csv -> customers.rejects.csv, beside the file."""
        return self.path.with_name(f"{self.path.stem}.rejects.csv")


def default_workers() -> int:
    """Parsing processes: the cores beyond one, at most two (the main process writes;
    past two parsers it is the bottleneck); none on one core (parse inline)."""
    return max(0, min(2, (os.cpu_count() or 1) - 1))


def rejects_writer(path: Path, columns: tuple[str, ...]) -> RejectsWriter:
    """Write the rejected rows (original cells, then line and reason) to `path`, replacing
    it. Cells beyond the header's columns (a row with too many) come after the columns'
    cells, as columns extra_1, extra_2... added to the header when a row has them. When
    no row was rejected, a file already at `path` (an earlier run's, now stale) is cut
    down to the header, and none is created."""

    def write(run: ImportRun, rejections: list[Rejection]) -> None:
        if not rejections and not path.exists():
            return
        extra = max((len(r.cells.keys() - set(columns)) for r in rejections), default=0)
        names = [*columns, *(extra_cell(n) for n in range(1, extra + 1))]
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow([*names, "line", "reason"])
            for rejection in rejections:
                cells = [rejection.cells.get(name, "") for name in names]
                writer.writerow([*cells, rejection.line, rejection.reason])

    return write


async def run_import(
    settings: Settings,
    source: CsvFile,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 0,
    rejects_path: Path | None = None,
    on_progress: Progress | None = None,
) -> ImportOutcome:
    """Import (or resume) `source` into the database of `settings`."""
    engine = make_engine(settings.database_url)
    executor: Executor | None = None
    if workers > 0:
        executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await import_file(
            SqlImportStore(engine),
            ImportFile(
                kind=source.kind,
                name=source.path.name,
                sha256=source.sha256,
                rows=source.rows(),
            ),
            clock=SystemClock(),
            zone=settings.zone,
            base_currency=settings.base_currency,
            batch_size=batch_size,
            executor=executor,
            on_progress=on_progress,
            write_rejects=rejects_writer(
                rejects_path or source.default_rejects_path(), source.columns
            ),
        )
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
        await engine.dispose()
