"""Where an attribute's value lives in SQL, and how a value set becomes TRUE/FALSE SQL.

Every source answers with a pair `(t, f)` of SQL conditions for "the value is in the
set": `t` is TRUE exactly for customers whose value is known and in the set, `f` exactly
for those whose value is known and not in it (an unknown value makes both not TRUE, as
the evaluator's UNKNOWN). The compiler combines pairs, so the SQL never depends on how
a back end treats NULL inside NOT, EXISTS or COALESCE.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import (
    BigInteger,
    Float,
    Integer,
    Numeric,
    SmallInteger,
    and_,
    false,
    not_,
    or_,
    true,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from persistence.queries.segments.intervals import Interval, Mapping, any_contains, identity

Condition = ColumnElement[bool]
TruthPair = tuple[Condition, Condition]


class Source(Protocol):
    @property
    def table(self) -> str | None:
        """The one-row table (see `attributes.QueryScope.one_row`) holding the value."""
        ...

    @property
    def default(self) -> Any:
        """The value of a customer without a row in `table` (None: unknown)."""
        ...

    def known(self) -> Condition:
        """TRUE when the customer's value is known (not NULL)."""
        ...

    def truth(self, intervals: Sequence[Interval]) -> TruthPair:
        """(in the set, not in the set), both FALSE or NULL when the value is unknown."""
        ...


def _mapped(mapping: Mapping, intervals: Sequence[Interval]) -> list[Interval]:
    return [m for m in (mapping(i) for i in intervals) if m is not None]


def storable(kind: TypeEngine[Any]) -> tuple[Any, Any] | None:
    """The least and greatest value a column of numeric type `kind` holds (None: any)."""
    if isinstance(kind, SmallInteger):
        return -(2**15), 2**15 - 1
    if isinstance(kind, BigInteger):
        return -(2**63), 2**63 - 1
    if isinstance(kind, Integer):
        return -(2**31), 2**31 - 1
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        if kind.precision is None or kind.scale is None:
            return None
        most = Decimal(10) ** (kind.precision - kind.scale) - Decimal(10) ** -kind.scale
        return -most, most
    return None


def fitted(intervals: Sequence[Interval], limits: tuple[Any, Any]) -> list[Interval]:
    """`intervals` restricted to the values a column can hold: the same set of storable
    values, written only with constants the column's type can bind (PostgreSQL refuses
    to compare an INTEGER with 2147483648 rather than answer FALSE). The parser already
    refuses such literals; this keeps the compiler safe for any tree it is given."""
    least, greatest = limits
    kept: list[Interval] = []
    for interval in intervals:
        low, high = interval.low, interval.high
        if low is not None:
            if low.value > greatest:
                continue
            if low.value < least:
                low = None
        if high is not None:
            if high.value < least:
                continue
            if high.value > greatest:
                high = None
        kept.append(Interval(low, high))
    return kept


def member_of(expr: ColumnElement[Any], intervals: Sequence[Interval]) -> tuple[Condition, bool]:
    """`expr` in the union of `intervals`, and whether that condition is NULL whenever
    `expr` is NULL (plain comparisons are; the constants for "nothing"/"all" are not)."""
    limits = storable(expr.type)
    if limits is not None:
        intervals = fitted(intervals, limits)
    if not intervals:
        return false(), False
    points = list(dict.fromkeys(i.low.value for i in intervals if i.is_point and i.low))
    parts: list[Condition] = []
    if points:
        parts.append(expr == points[0] if len(points) == 1 else expr.in_(points))
    for interval in intervals:
        if interval.is_point:
            continue
        bounds: list[Condition] = []
        if interval.low is not None:
            low = interval.low.value
            bounds.append(expr > low if interval.low.open else expr >= low)
        if interval.high is not None:
            high = interval.high.value
            bounds.append(expr < high if interval.high.open else expr <= high)
        if not bounds:
            return true(), False
        parts.append(and_(*bounds))
    return (parts[0] if len(parts) == 1 else or_(*parts)), True


@dataclass(frozen=True)
class ColumnSource:
    """A nullable column or expression, NULL when unknown (profile, scores, ...)."""

    expr: ColumnElement[Any]
    mapping: Mapping = identity
    table: str | None = None
    default: Any = None

    def known(self) -> Condition:
        return self.expr.is_not(None)

    def truth(self, intervals: Sequence[Interval]) -> TruthPair:
        member, strict = member_of(self.expr, _mapped(self.mapping, intervals))
        if strict:
            return member, not_(member)
        return and_(self.known(), member), and_(self.known(), not_(member))


@dataclass(frozen=True)
class DefaultedSource:
    """A column of a one-row-per-customer table that is LEFT JOINed: a customer without
    the row has `default` (orders_count 0 before the first order). Never unknown.

    Written without COALESCE, so PostgreSQL keeps the column's index and can turn the
    outer join into an inner one when the default is not in the set."""

    column: ColumnElement[Any]
    missing: Condition
    default: Any
    mapping: Mapping = identity
    table: str | None = None

    def known(self) -> Condition:
        return true()

    def truth(self, intervals: Sequence[Interval]) -> TruthPair:
        member, _ = member_of(self.column, _mapped(self.mapping, intervals))
        if any_contains(intervals, self.default):
            return or_(member, self.missing), not_(member)
        return member, or_(not_(member), self.missing)


@dataclass(frozen=True)
class LatestTimeSource:
    """The latest of a customer's event times, unknown without events.

    `after(x)` is an EXISTS: the customer has an event at or after instant x. The latest
    time is in [a, b) exactly when after(a) and not after(b): semi- and anti-joins on an
    index, with no per-customer MAX. `lower_implies_known` says after(a) implies a value
    (true for last_seen; not for carts, whose value also needs no later order).
    """

    known_condition: Condition
    after: Callable[[datetime], Condition]
    mapping: Mapping
    lower_implies_known: bool = True
    table: str | None = None
    default: Any = None

    def known(self) -> Condition:
        return self.known_condition

    def truth(self, intervals: Sequence[Interval]) -> TruthPair:
        mapped = _mapped(self.mapping, intervals)
        parts: list[Condition] = []
        for interval in mapped:
            bounds: list[Condition] = []
            if interval.low is not None:
                bounds.append(self.after(interval.low.value))
            if interval.high is not None:
                bounds.append(not_(self.after(interval.high.value)))
            parts.append(and_(*bounds) if bounds else true())
        member = or_(*parts) if parts else false()
        implied = self.lower_implies_known and all(i.low is not None for i in mapped)
        inside = member if implied and mapped else and_(self.known_condition, member)
        return inside, and_(self.known_condition, not_(member))


@dataclass(frozen=True)
class SetSource:
    """A set attribute (tags, channels, ...): never unknown, tested with CONTAINS."""

    contains: Callable[[str], Condition]
    table: str | None = None
    default: Any = None

    def known(self) -> Condition:
        return true()

    def truth(self, intervals: Sequence[Interval]) -> TruthPair:
        raise TypeError("set attributes are only tested with CONTAINS")
