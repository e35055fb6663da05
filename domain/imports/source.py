"""Reading an import file's rows (the format is in `domain.imports.columns`).

Rows keep their original cells (for the rejects file) and the line they start on.
Blank rows are skipped; short rows are padded with blank cells; a row with more
non-blank cells than the header has columns is rejected as such.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from domain.imports.columns import check_header
from domain.imports.errors import InvalidImportFile
from domain.imports.model import ImportKind, SourceRow


def read_header(lines: Iterable[str], kind: ImportKind) -> tuple[str, ...]:
    """The file's columns, checked for `kind`."""
    header = next(csv.reader(lines), None)
    if header is None:
        raise InvalidImportFile("the file is empty: it needs a header row")
    return check_header(kind, header)


def read_rows(lines: Iterable[str], kind: ImportKind) -> Iterator[SourceRow]:
    """The data rows of a file whose header `read_header` accepted."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return
    columns = check_header(kind, header)
    width = len(columns)
    start = reader.line_num + 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if not "".join(record).strip():
            continue
        if len(record) == width:
            yield SourceRow(line=line, cells=dict(zip(columns, record, strict=True)))
            continue
        problem = None
        if "".join(record[width:]).strip():
            problem = f"the row has {len(record)} cells but the header has {width} columns"
        cells = dict(zip(columns, record + [""] * (width - len(record)), strict=False))
        yield SourceRow(line=line, cells=cells, problem=problem)


def count_rows(lines: Iterable[str]) -> int:
    """The number of non-blank data rows (for a progress bar)."""
    reader = csv.reader(lines)
    next(reader, None)
    return sum(1 for record in reader if any(cell.strip() for cell in record))
