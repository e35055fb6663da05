"""Reading cells, cutting batches and folding rows: the pure parts of imports."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.imports.batching import batches
from domain.imports.cells import read_amount, read_datetime
from domain.imports.customer_plan import fold_customers
from domain.imports.customer_rows import CustomerRow, parse_customer_rows
from domain.imports.model import ImportKind, Rejection, SourceRow
from domain.imports.order_rows import OrderRows, parse_order_rows
from domain.imports.people import People
from domain.imports.repository import FoundCustomers

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "currency", "minor"),
    [
        ("129.90", "EUR", 12990),
        ("129.9", "EUR", 12990),
        ("129", "EUR", 12900),
        ("1500", "JPY", 1500),
        ("1.250", "KWD", 1250),
        ("0.10", "EUR", 10),
        ("12.500", "EUR", 1250),
    ],
)
def test_amounts_are_read_in_major_units(raw: str, currency: str, minor: int) -> None:
    assert read_amount(raw, currency) == minor


@pytest.mark.parametrize(
    ("raw", "currency", "message"),
    [
        ("1,299.00", "EUR", "not an amount"),
        ("12.345", "EUR", "more than the 2 decimal"),
        ("15.5", "JPY", "more than the 0 decimal"),
        ("1e3", "EUR", "not an amount"),
        ("", "EUR", "not an amount"),
    ],
)
def test_malformed_amounts_are_refused(raw: str, currency: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_amount(raw, currency)


def test_times_without_an_offset_are_read_in_the_store_timezone() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert read_datetime("2025-07-01T10:00:00", paris) == datetime(2025, 7, 1, 8, tzinfo=UTC)
    assert read_datetime("2025-07-01T10:00:00Z", paris) == datetime(2025, 7, 1, 10, tzinfo=UTC)
    assert read_datetime("2025-01-01", paris) == datetime(2024, 12, 31, 23, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a date-time"):
        read_datetime("01/02/2025", paris)


def _row(line: int, **cells: str) -> SourceRow:
    return SourceRow(line=line, cells=cells)


def test_a_batch_is_extended_to_the_end_of_its_last_order() -> None:
    rows = [_row(n, channel="web", external_id=str(n // 3)) for n in range(2, 11)]
    cut = list(batches(rows, kind=ImportKind.ORDERS, size=2))
    # lines 2 (order 0), 3-5 (order 1), 6-8 (order 2), 9-10 (order 3)
    assert [[r.line for r in batch] for batch in cut] == [[2, 3, 4, 5], [6, 7, 8], [9, 10]]
    resumed = list(batches(rows, kind=ImportKind.ORDERS, size=2, after_line=5))
    assert [[r.line for r in batch] for batch in resumed] == [[6, 7, 8], [9, 10]]


def test_rows_of_one_person_fold_into_one_customer_in_file_order() -> None:
    parsed = parse_customer_rows(
        [
            _row(2, email="ann@example.com", first_name="Ann", country="FR"),
            _row(3, email="ANN@example.com", phone="06 12 34 56 78", country="FR"),
            _row(4, identity_channel="pos", identity_external_id="7", first_name="Zed"),
            _row(5, email="ann@example.com", identity_channel="pos", identity_external_id="7"),
            _row(6, email="zed@example.com", identity_channel="pos", identity_external_id="7"),
        ],
        now=NOW,
        zone=UTC,
    )
    assert all(isinstance(row, CustomerRow) for row in parsed)
    people = People(FoundCustomers(customers=[], identity_owners={}), now=NOW)
    cells: dict[int, dict[str, str]] = {line: {} for line in range(2, 7)}

    plan = fold_customers(parsed, people, cells=cells, now=NOW)

    counts = plan.counts
    assert (counts.imported, counts.folded, counts.rejected) == (2, 2, 1)
    assert [r.line for r in plan.rejections] == [5]  # Ann's email, Zed's identity
    ann, zed = plan.customers
    assert (ann.email, ann.profile["phone"], ann.profile["first_name"]) == (
        "ANN@example.com",
        "+33612345678",
        "Ann",
    )
    assert (zed.email, zed.profile["first_name"]) == ("zed@example.com", "Zed")


def test_an_order_is_rejected_whole_when_one_line_is_bad() -> None:
    head = {
        "channel": "web",
        "external_id": "1",
        "customer_email": "a@example.com",
        "placed_at": "2025-01-01",
        "currency": "EUR",
        "total": "30",
    }
    parsed = parse_order_rows(
        [
            _row(2, **head, sku="A", name="A", quantity="1", unit_price="10"),
            _row(
                3, channel="web", external_id="1", sku="B", name="B", quantity="0", unit_price="10"
            ),
            _row(4, **{**head, "external_id": "2"}),
        ],
        now=NOW,
        zone=UTC,
        base_currency="EUR",
    )
    first, second = parsed
    assert isinstance(first, list)
    assert [(r.line, r.reason) for r in first] == [
        (2, "rejected with its order (see line 3)"),
        (3, "quantity: quantity must be at least 1"),
    ]
    assert isinstance(second, OrderRows)
    assert second.lines == (4,)
    assert second.content.lines == ()
    assert not isinstance(second, Rejection)
