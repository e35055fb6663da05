"""Reading an import file's rows (the format is in `domain.imports.columns`).

Rows keep their original cells (for the rejects file) and the line they start on.
Blank rows are skipped; short rows are padded with blank cells; a row with more
non-blank cells than the header has columns is rejected as such, and keeps the cells
beyond the columns (but trailing blank ones) as extra_1, extra_2...

The CSV is read strictly: a quoted field never closed (which would swallow the rest of
the file into one cell) or text after a closing quote makes the whole file unusable
(InvalidImportFile naming the line where the row starts), not a row to reject.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from domain.imports.columns import check_header
from domain.imports.errors import InvalidImportFile
from domain.imports.model import ImportKind, SourceRow, extra_cell


def read_header(lines: Iterable[str], kind: ImportKind) -> tuple[str, ...]:
    """The file's columns, checked for `kind`."""
    first = next(records(lines), None)
    if first is None:
        raise InvalidImportFile("the file is empty: it needs a header row")
    return check_header(kind, first[1])


def read_rows(lines: Iterable[str], kind: ImportKind) -> Iterator[SourceRow]:
    """The data rows of a file whose header `read_header` accepted."""
    reader = records(lines)
    header = next(reader, None)
    if header is None:
        return
    columns = check_header(kind, header[1])
    width = len(columns)
    for line, record in reader:
        if not "".join(record).strip():
            continue
        if len(record) == width:
            yield SourceRow(line=line, cells=dict(zip(columns, record, strict=True)))
            continue
        problem = None
        cells = dict(zip(columns, record + [""] * (width - len(record)), strict=False))
        extra = record[width:]
        if "".join(extra).strip():
            problem = f"the row has {len(record)} cells but the header has {width} columns"
            while not extra[-1].strip():
                extra.pop()
            cells.update((extra_cell(n), value) for n, value in enumerate(extra, start=1))
        yield SourceRow(line=line, cells=cells, problem=problem)


def count_rows(lines: Iterable[str]) -> int:
    """The number of non-blank data rows (for a progress bar); reading the whole file,
    it finds what makes the file unusable before anything is imported."""
    reader = records(lines)
    next(reader, None)
    return sum(1 for _, record in reader if any(cell.strip() for cell in record))


def records(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(the line it starts on, its cells) for each record of the file, header included."""
    reader = csv.reader(lines, strict=True)
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InvalidImportFile(_malformed(start, str(error))) from error
        yield start, record
        start = reader.line_num + 1


def _malformed(start: int, error: str) -> str:
    if error == "unexpected end of data":
        return (
            f'line {start}: a quoted field (opened by ") is never closed, so the rest of '
            'the file would be one cell; close it, or double a quote inside it ("")'
        )
    if error.startswith("field larger than field limit"):
        return (
            f"line {start}: a cell is longer than the CSV reader allows ({error}); "
            "is a quoted field never closed?"
        )
    return (
        f"line {start}: not valid CSV ({error}); a quoted field ends at its closing quote, "
        'and a quote inside it is doubled ("")'
    )
