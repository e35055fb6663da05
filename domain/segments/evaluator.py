"""Evaluate a segment query on one customer, with SQL's three-valued logic.

The SQL compiler (persistence) must give exactly these answers:
- a value is UNKNOWN (None) when the snapshot does not know it (SQL NULL);
- `=, !=, <, <=, >, >=, BETWEEN, IN, NOT IN` with an unknown value are UNKNOWN
  (`x NOT IN (...)` with x NULL is UNKNOWN, as in SQL; lists never hold NULL);
- `IS NULL` / `IS NOT NULL` are the only tests that are TRUE or FALSE for unknown values;
- `CONTAINS` is TRUE or FALSE, never UNKNOWN (an empty set contains nothing);
- NOT UNKNOWN is UNKNOWN; AND is FALSE if any operand is FALSE, else UNKNOWN if any is
  UNKNOWN; OR is TRUE if any operand is TRUE, else UNKNOWN if any is UNKNOWN (Kleene);
- a customer is in the segment only when the whole query is TRUE (SQL WHERE).
Strings compare exactly (case-sensitive) except as the catalog's text rules say:
email lowercased, tags normalised, enums canonical upper case (both done at parse time
for literals; the snapshot gives lowercased email and normalised tags).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from domain.segments.catalog import Operator
from domain.segments.snapshot import CustomerSnapshot, SnapshotValue
from domain.segments.syntax import (
    And,
    Between,
    Compare,
    Contains,
    Expr,
    InList,
    IsNull,
    Not,
    Or,
)

Truth = bool | None  # True, False, or None for UNKNOWN

_COMPARE: dict[Operator, Callable[[Any, Any], bool]] = {
    Operator.EQ: lambda a, b: bool(a == b),
    Operator.NE: lambda a, b: bool(a != b),
    Operator.LT: lambda a, b: bool(a < b),
    Operator.LE: lambda a, b: bool(a <= b),
    Operator.GT: lambda a, b: bool(a > b),
    Operator.GE: lambda a, b: bool(a >= b),
}


def evaluate(query: Expr, snapshot: CustomerSnapshot) -> bool:
    """Whether the customer of `snapshot` matches `query` (the query is TRUE for it)."""
    return truth(query, snapshot) is True


def truth(expr: Expr, snapshot: CustomerSnapshot) -> Truth:
    """The three-valued truth of `expr` for `snapshot`: True, False or None (UNKNOWN)."""
    match expr:
        case And(operands):
            return and3(truth(operand, snapshot) for operand in operands)
        case Or(operands):
            return or3(truth(operand, snapshot) for operand in operands)
        case Not(operand):
            return not3(truth(operand, snapshot))
    return predicate_truth(expr, snapshot.value_of(expr.attr))


def predicate_truth(expr: Expr, value: SnapshotValue) -> Truth:
    """The truth of a single predicate given the customer's value of its attribute."""
    match expr:
        case IsNull(_, negated):
            return (value is not None) if negated else (value is None)
        case Contains(_, member):
            return isinstance(value, frozenset) and member in value
    if value is None:
        return None
    match expr:
        case Compare(_, op, wanted):
            return _COMPARE[op](_comparable(value), wanted)
        case InList(_, values, negated):
            return (value in values) != negated
        case Between(_, low, high):
            return bool(low <= _comparable(value) <= high)  # type: ignore[operator]
    raise TypeError(f"not a segment predicate: {expr!r}")


def not3(value: Truth) -> Truth:
    return None if value is None else not value


def and3(values: Any) -> Truth:
    unknown = False
    for value in values:
        if value is False:
            return False
        unknown = unknown or value is None
    return None if unknown else True


def or3(values: Any) -> Truth:
    unknown = False
    for value in values:
        if value is True:
            return True
        unknown = unknown or value is None
    return None if unknown else False


def _comparable(value: SnapshotValue) -> str | int | Decimal | date:
    if isinstance(value, frozenset) or value is None:  # the parser refuses these operators
        raise TypeError("sets and NULL are not compared")
    return value
