"""Parsing an orders file: consecutive rows of one (channel, external_id) are one order,
validated by `OrderContent.build` as `orderRecord` validates it.

An order is imported or rejected whole: every row of a rejected order is in the rejects
file, each with its own problem or a pointer to the line that has one. Pure functions:
batches may be parsed in worker processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from domain.customers.model import normalise_identity
from domain.customers.profile import email_key, normalise_email
from domain.errors import DomainError
from domain.imports.cells import read_amount, read_datetime, read_quantity
from domain.imports.model import Rejection, SourceRow
from domain.money import Money
from domain.orders.commands import OrderLineInput
from domain.orders.content import OrderContent, OrderLine, normalise_order_key
from domain.orders.model import check_initial_status
from domain.orders.status import OrderStatus

ORDER_LEVEL = (
    "channel",
    "external_id",
    "customer_email",
    "customer_identity_channel",
    "customer_identity_external_id",
    "placed_at",
    "currency",
    "total",
    "base_total",
    "status",
)
LINE_COLUMNS = ("sku", "name", "quantity", "unit_price", "category")
# The order_lines columns' sizes (OrderContent alone allows longer texts).
LINE_TEXT_LIMITS = {"sku": 100, "name": 255, "category": 100}
# Public input paths of OrderContent errors -> CSV columns.
_FIELD_COLUMNS = {
    "placedAt": "placed_at",
    "total": "total",
    "baseTotal": "base_total",
    "unitPrice": "unit_price",
    "quantity": "quantity",
    "sku": "sku",
    "name": "name",
    "category": "category",
}


@dataclass(frozen=True, slots=True)
class CustomerReference:
    """How an order names its customer (normalised): identity first, then email."""

    email: str | None
    email_key: str | None
    identity: tuple[str, str] | None

    def __reduce__(self) -> tuple[type[CustomerReference], tuple[Any, ...]]:
        return (CustomerReference, (self.email, self.email_key, self.identity))


@dataclass(frozen=True, slots=True)
class OrderRows:
    """A valid order and the lines of the file it came from."""

    lines: tuple[int, ...]
    channel: str
    external_id: str
    customer: CustomerReference
    status: OrderStatus
    content: OrderContent

    @property
    def key(self) -> tuple[str, str]:
        return (self.channel, self.external_id)

    def __reduce__(self) -> tuple[Callable[..., OrderRows], tuple[Any, ...]]:
        # Parsed in worker processes: travel as plain values (see SourceRow.__reduce__).
        content = self.content
        return (
            _order_rows,
            (
                self.lines,
                self.channel,
                self.external_id,
                self.customer,
                self.status.value,
                content.placed_at,
                content.total.amount,
                content.total.currency,
                content.base_total,
                tuple(
                    (x.sku, x.name, x.quantity, x.unit_price.amount, x.category)
                    for x in content.lines
                ),
            ),
        )


def _order_rows(
    lines: tuple[int, ...],
    channel: str,
    external_id: str,
    customer: CustomerReference,
    status: str,
    placed_at: datetime,
    total: int,
    currency: str,
    base_total: int,
    order_lines: tuple[tuple[str, str, int, int, str | None], ...],
) -> OrderRows:
    """An OrderRows from values validated where it was parsed."""
    return OrderRows(
        lines=lines,
        channel=channel,
        external_id=external_id,
        customer=customer,
        status=OrderStatus(status),
        content=OrderContent(
            placed_at=placed_at,
            total=Money(total, currency),
            base_total=base_total,
            lines=tuple(
                OrderLine(
                    sku=sku,
                    name=name,
                    quantity=quantity,
                    unit_price=Money(price, currency),
                    category=category,
                )
                for sku, name, quantity, price, category in order_lines
            ),
        ),
    )


def order_group_key(row: SourceRow) -> tuple[str, str]:
    """The raw key consecutive rows of one order share."""
    cells = row.cells
    return (cells.get("channel", "").strip().lower(), cells.get("external_id", "").strip())


def parse_order_rows(
    rows: Sequence[SourceRow], *, now: datetime, zone: tzinfo, base_currency: str
) -> list[OrderRows | list[Rejection]]:
    """Each order of `rows` (grouped by consecutive key), in order: valid, or its rows
    rejected."""
    groups: list[list[SourceRow]] = []
    for row in rows:
        if groups and order_group_key(groups[-1][0]) == order_group_key(row):
            groups[-1].append(row)
        else:
            groups.append([row])
    return [parse_order(g, now=now, zone=zone, base_currency=base_currency) for g in groups]


def parse_order(
    rows: Sequence[SourceRow], *, now: datetime, zone: tzinfo, base_currency: str
) -> OrderRows | list[Rejection]:
    problems: dict[int, list[str]] = {}

    def at(index: int) -> _Problem:
        return lambda column, message: problems.setdefault(index, []).append(f"{column}: {message}")

    for index, row in enumerate(rows):
        if row.problem is not None:
            problems[index] = [row.problem]
    first = {name: rows[0].cells.get(name, "").strip() for name in ORDER_LEVEL}
    for index, row in enumerate(rows[1:], start=1):
        for name in ORDER_LEVEL:
            value = row.cells.get(name, "").strip()
            if value and value != first[name]:
                at(index)(name, f"{value!r} differs from line {rows[0].line} ({first[name]!r})")
    head = _OrderLevel.read(first, zone=zone, base_currency=base_currency, problem=at(0))
    lines: list[OrderLineInput] = []
    line_rows: list[int] = []
    for index, row in enumerate(rows):
        line = _line(row.cells, head.currency, at(index))
        if line is not None:
            lines.append(line)
            line_rows.append(index)
    content: OrderContent | None = None
    if not problems and head.total is not None and head.placed_at is not None:
        try:
            content = OrderContent.build(
                placed_at=head.placed_at,
                total=head.total,
                base_total=head.base_total,
                lines=lines,
                base_currency=base_currency,
                now=now,
            )
        except DomainError as error:
            line_index, column = _column_of(error.field or ())
            at(line_rows[line_index] if line_index is not None else 0)(column, error.message)
    if problems or content is None or head.customer is None or head.status is None:
        return _rejected(rows, problems)
    return OrderRows(
        lines=tuple(row.line for row in rows),
        channel=head.channel,
        external_id=head.external_id,
        customer=head.customer,
        status=head.status,
        content=content,
    )


_Problem = Callable[[str, str], None]


@dataclass(kw_only=True)
class _OrderLevel:
    """The order's own columns, read from its first row (None where a cell was bad)."""

    channel: str = ""
    external_id: str = ""
    currency: str | None = None
    total: Money | None = None
    base_total: int | None = None
    placed_at: datetime | None = None
    status: OrderStatus | None = None
    customer: CustomerReference | None = None

    @classmethod
    def read(
        cls, cells: dict[str, str], *, zone: tzinfo, base_currency: str, problem: _Problem
    ) -> _OrderLevel:
        head = cls()
        try:
            head.channel, head.external_id = normalise_order_key(
                cells["channel"], cells["external_id"]
            )
        except DomainError as error:
            problem("channel" if error.field == ("channel",) else "external_id", error.message)
        currency = cells["currency"].upper()
        if not currency:
            problem("currency", "is required")
        elif len(currency) != 3 or not currency.isalpha():
            problem("currency", f"{cells['currency']!r} is not an ISO 4217 code such as EUR")
        else:
            head.currency = currency
        if not cells["total"]:
            problem("total", "is required")
        elif head.currency is not None:
            try:
                head.total = Money(read_amount(cells["total"], head.currency), head.currency)
            except ValueError as error:
                problem("total", str(error))
        if cells["base_total"]:
            try:
                head.base_total = read_amount(cells["base_total"], base_currency)
            except ValueError as error:
                problem("base_total", str(error))
        if not cells["placed_at"]:
            problem("placed_at", "is required")
        else:
            try:
                head.placed_at = read_datetime(cells["placed_at"], zone)
            except ValueError as error:
                problem("placed_at", str(error))
        head.status = _status(cells["status"], problem)
        head.customer = _customer(cells, problem)
        return head


def _status(raw: str, problem: _Problem) -> OrderStatus | None:
    try:
        status = OrderStatus(raw.upper()) if raw else OrderStatus.PAID
        check_initial_status(status)
        return status
    except ValueError:
        problem("status", f"{raw!r} is not one of {', '.join(OrderStatus)}")
    except DomainError as error:
        problem("status", error.message)
    return None


def _customer(cells: dict[str, str], problem: _Problem) -> CustomerReference | None:
    email = key = None
    identity = None
    ok = True
    if cells["customer_email"]:
        try:
            email = _email(cells["customer_email"])
            key = email_key(email)
        except DomainError as error:
            problem("customer_email", error.message)
            ok = False
    channel = cells["customer_identity_channel"]
    external_id = cells["customer_identity_external_id"]
    if channel or external_id:
        if not (channel and external_id):
            problem(
                "customer_identity_channel",
                "customer_identity_channel and customer_identity_external_id go together",
            )
            ok = False
        else:
            try:
                identity = normalise_identity(channel, external_id)
            except DomainError as error:
                column = "channel" if error.field == ("channel",) else "external_id"
                problem(f"customer_identity_{column}", error.message)
                ok = False
    if ok and email is None and identity is None:
        problem("customer_email", "the order needs customer_email or a customer identity")
        return None
    return CustomerReference(email=email, email_key=key, identity=identity) if ok else None


# A customer's orders repeat its email: validate each address once per process.
_email = lru_cache(maxsize=65_536)(normalise_email)


def _line(cells: dict[str, str], currency: str | None, problem: _Problem) -> OrderLineInput | None:
    values = {name: cells.get(name, "").strip() for name in LINE_COLUMNS}
    if not any(values.values()):
        return None
    ok = True
    for name in ("sku", "name", "quantity", "unit_price"):
        if not values[name]:
            problem(name, "is required on an order line")
            ok = False
    for name, limit in LINE_TEXT_LIMITS.items():
        if len(values[name]) > limit:
            problem(name, f"is limited to {limit} characters")
            ok = False
    quantity = unit_price = None
    if values["quantity"]:
        try:
            quantity = read_quantity(values["quantity"])
        except ValueError as error:
            problem("quantity", str(error))
    if values["unit_price"] and currency is not None:
        try:
            unit_price = read_amount(values["unit_price"], currency)
        except ValueError as error:
            problem("unit_price", str(error))
    if not ok or quantity is None or unit_price is None or currency is None:
        return None
    return OrderLineInput(
        sku=values["sku"],
        name=values["name"],
        quantity=quantity,
        unit_price=Money(unit_price, currency),
        category=values["category"] or None,
    )


def _column_of(path: Sequence[str]) -> tuple[int | None, str]:
    """(index of the line, CSV column) of an OrderContent error's input path."""
    if len(path) >= 3 and path[0] == "lines":
        return int(path[1]), _FIELD_COLUMNS.get(path[2], path[2])
    if path and path[0] == "lines":
        return None, "sku"
    return None, _FIELD_COLUMNS.get(path[0], "total") if path else "total"


def _rejected(rows: Sequence[SourceRow], problems: dict[int, list[str]]) -> list[Rejection]:
    problems = problems or {0: ["the order could not be read"]}
    first_bad = min(problems)
    pointer = f"rejected with its order (see line {rows[first_bad].line})"
    return [
        Rejection(
            line=row.line,
            reason="; ".join(problems[index]) if index in problems else pointer,
            cells=row.cells,
        )
        for index, row in enumerate(rows)
    ]
