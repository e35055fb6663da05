"""The segment compiler: a syntax tree to one SQL condition over the live customers.

Each node compiles to a pair (t, f): `t` is TRUE exactly where the evaluator says TRUE,
`f` exactly where it says FALSE; where it says UNKNOWN neither is TRUE. NOT swaps the
pair; AND is (all t, any f); OR is (any t, all f) — Kleene's logic, as the evaluator.
The query's condition is `t` of the root: the customers for which the query is TRUE.
Written this way, the SQL uses NOT only on conditions that cannot be NULL where it
matters, and aggregates (latest event, counts) become EXISTS on indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import replacement_traverse

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
from persistence.queries.segments.attributes import ONE_ROW_TABLES, QueryScope, source_of
from persistence.queries.segments.intervals import any_contains, value_set
from persistence.queries.segments.sources import DefaultedSource, SetSource


@dataclass(frozen=True)
class CompiledQuery:
    """A compiled query: the FROM clause it needs and its condition."""

    scope: QueryScope
    condition: ColumnElement[bool]

    @property
    def customer_id(self) -> ColumnElement[UUID]:
        return self.scope.customer_id

    def ids(self) -> Select[Any]:
        """The ids of the live customers the query matches (unordered)."""
        return (
            select(self.customer_id)
            .select_from(self.scope.from_clause())
            .where(self.scope.live(), self.condition)
        )

    def count(self) -> Select[Any]:
        return (
            select(func.count())
            .select_from(self.scope.from_clause())
            .where(self.scope.live(), self.condition)
        )


def compile_query(
    query: Expr, *, as_of: date, zone: tzinfo, currency_exponent: int = 2
) -> CompiledQuery:
    """Compile `query` as of local date `as_of` in the store's `zone`."""
    scope = QueryScope(as_of=as_of, zone=zone, currency_exponent=currency_exponent)
    truth = _truth(query, scope)
    condition = truth.t
    if scope.drive_from(truth.t_needs):
        # The customers table is not in the FROM clause: key everything by the driver.
        customer_id, driver_key = scope.c.c.id, scope.customer_id

        def rekey(element: Any, **_: Any) -> Any:
            return driver_key if element is customer_id else None

        options: dict[str, Any] = {}
        condition = replacement_traverse(condition, options, rekey)
    return CompiledQuery(scope, condition)


_EVERY_TABLE = frozenset(name for name, _ in ONE_ROW_TABLES)


@dataclass(frozen=True)
class Truth:
    """A node's (t, f) conditions, and the one-row tables in which a customer must have
    a row for each to be TRUE (what lets the query be read from such a table)."""

    t: ColumnElement[bool]
    f: ColumnElement[bool]
    t_needs: frozenset[str] = frozenset()
    f_needs: frozenset[str] = frozenset()

    def negated(self) -> Truth:
        return Truth(self.f, self.t, self.f_needs, self.t_needs)


def _truth(expr: Expr, scope: QueryScope) -> Truth:
    match expr:
        case And(operands):
            parts = [_truth(operand, scope) for operand in operands]
            return Truth(
                and_(*(p.t for p in parts)),
                or_(*(p.f for p in parts)),
                frozenset().union(*(p.t_needs for p in parts)),
                frozenset.intersection(*(p.f_needs for p in parts)),
            )
        case Or(operands):
            parts = [_truth(operand, scope) for operand in operands]
            return Truth(
                or_(*(p.t for p in parts)),
                and_(*(p.f for p in parts)),
                frozenset.intersection(*(p.t_needs for p in parts)),
                frozenset().union(*(p.f_needs for p in parts)),
            )
        case Not(operand):
            return _truth(operand, scope).negated()
    return _predicate(expr, scope)


def _predicate(expr: Any, scope: QueryScope) -> Truth:
    source = source_of(expr.attr, scope)
    row = frozenset({source.table}) if source.table else frozenset()
    defaulted = isinstance(source, DefaultedSource)
    match expr:
        case IsNull(_, negated):
            known = source.known()
            # Unknown needs no row, known needs one; except a defaulted value, which is
            # always known (so "unknown" is never TRUE: any table will do).
            if defaulted:
                unknown = Truth(not_(known), known, _EVERY_TABLE, frozenset())
            else:
                unknown = Truth(not_(known), known, frozenset(), row)
            return unknown.negated() if negated else unknown
        case Contains(_, value):
            assert isinstance(source, SetSource)  # the parser allows CONTAINS on sets only
            held = source.contains(value)
            return Truth(held, not_(held))
        case Compare() | InList() | Between():
            intervals, complement = value_set(expr)
            truth, falsity = source.truth(intervals)
            if defaulted:
                # Without a row the value is the default: TRUE needs a row only when the
                # default is outside the set, FALSE only when it is inside.
                inside = any_contains(intervals, source.default)
                result = Truth(
                    truth, falsity, frozenset() if inside else row, row if inside else frozenset()
                )
            else:
                result = Truth(truth, falsity, row, row)
            return result.negated() if complement else result
    raise TypeError(f"not a segment predicate: {expr!r}")
