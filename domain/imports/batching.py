"""Cutting a file's rows into batches, and parsing a batch (in a worker process or not).

A batch holds `size` rows, plus the rest of the order its last row belongs to, so the
lines of one order are never split between two transactions. Batches start after the
run's last committed line, which is how a re-run resumes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo

from domain.imports.customer_rows import CustomerRow, parse_customer_rows
from domain.imports.model import ImportKind, Rejection, SourceRow
from domain.imports.order_rows import OrderRows, order_group_key, parse_order_rows

Parsed = list[CustomerRow | Rejection] | list[OrderRows | list[Rejection]]


def batches(
    rows: Iterable[SourceRow], *, kind: ImportKind, size: int, after_line: int = 0
) -> Iterator[list[SourceRow]]:
    batch: list[SourceRow] = []
    for row in rows:
        if row.line <= after_line:
            continue
        if len(batch) >= size and (
            kind is ImportKind.CUSTOMERS or order_group_key(row) != order_group_key(batch[-1])
        ):
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def parse_batch(
    kind: ImportKind,
    rows: list[SourceRow],
    now: datetime,
    zone: tzinfo,
    base_currency: str,
) -> Parsed:
    """Validate a batch's rows (a module-level function: it runs in worker processes)."""
    if kind is ImportKind.CUSTOMERS:
        return parse_customer_rows(rows, now=now, zone=zone)
    return parse_order_rows(rows, now=now, zone=zone, base_currency=base_currency)
