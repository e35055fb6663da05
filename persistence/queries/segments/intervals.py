"""Value sets of predicates, and how language units map onto stored values.

A comparison, IN list or BETWEEN says which values of an attribute satisfy it: a union
of intervals in the language's units (days, major units, years of age). Each attribute
maps those intervals onto its stored column (instants, minor units, birthdays), exactly,
so the SQL compares raw indexed columns instead of computing a derived value per row.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from domain.segments.catalog import Operator
from domain.segments.syntax import Between, Compare, InList, Value


@dataclass(frozen=True)
class Bound:
    """One end of an interval; `open` excludes the value itself."""

    value: Any
    open: bool = False


@dataclass(frozen=True)
class Interval:
    """Values between `low` and `high`; None is unbounded on that side."""

    low: Bound | None
    high: Bound | None

    @classmethod
    def point(cls, value: Any) -> Interval:
        return cls(Bound(value), Bound(value))

    @property
    def is_point(self) -> bool:
        return (
            self.low is not None
            and self.high is not None
            and not self.low.open
            and not self.high.open
            and self.low.value == self.high.value
        )

    def contains(self, value: Any) -> bool:
        if self.low is not None and (
            value < self.low.value or (self.low.open and value == self.low.value)
        ):
            return False
        return self.high is None or not (
            value > self.high.value or (self.high.open and value == self.high.value)
        )


Intervals = tuple[Interval, ...]
Mapping = Callable[[Interval], Interval | None]
"""Maps an interval in language units onto stored values; None when it maps to nothing."""

_RANGES = {
    Operator.LT: lambda v: Interval(None, Bound(v, open=True)),
    Operator.LE: lambda v: Interval(None, Bound(v)),
    Operator.GT: lambda v: Interval(Bound(v, open=True), None),
    Operator.GE: lambda v: Interval(Bound(v), None),
}


def value_set(predicate: Compare | InList | Between) -> tuple[Intervals, bool]:
    """The values satisfying `predicate`, and whether the predicate is the complement
    (`!=`, `NOT IN`): the caller swaps TRUE and FALSE for those (both need a known value)."""
    match predicate:
        case Compare(_, Operator.EQ | Operator.NE as op, value):
            return (Interval.point(value),), op is Operator.NE
        case Compare(_, op, value):
            return (_RANGES[op](value),), False
        case InList(_, values, negated):
            return tuple(Interval.point(v) for v in dict.fromkeys(values)), negated
        case Between(_, low, high):
            return (Interval(Bound(low), Bound(high)),), False
    raise TypeError(f"not a valued predicate: {predicate!r}")


def any_contains(intervals: Sequence[Interval], value: Value) -> bool:
    return any(interval.contains(value) for interval in intervals)


# -- mappings ------------------------------------------------------------------------------


def identity(interval: Interval) -> Interval | None:
    return interval


def whole_numbers(interval: Interval) -> Interval | None:
    """The same set over integers, with closed bounds (`> 2.5` is `>= 3`)."""
    low = high = None
    if interval.low is not None:
        v = Decimal(interval.low.value)
        low = math.floor(v) + 1 if interval.low.open else math.ceil(v)
    if interval.high is not None:
        v = Decimal(interval.high.value)
        high = math.ceil(v) - 1 if interval.high.open else math.floor(v)
    if low is not None and high is not None and low > high:
        return None
    return Interval(None if low is None else Bound(low), None if high is None else Bound(high))


def minor_units(exponent: int) -> Mapping:
    """Major-unit amounts onto integer minor units (`> 12.345` is `>= 1235` cents)."""

    def scale(interval: Interval) -> Interval | None:
        def scaled(bound: Bound | None) -> Bound | None:
            if bound is None:
                return None
            return Bound(Decimal(bound.value).scaleb(exponent), bound.open)

        return whole_numbers(Interval(scaled(interval.low), scaled(interval.high)))

    return scale


def _day_start(ordinal: int, zone: tzinfo) -> datetime | str:
    """The first instant of local day `ordinal` in `zone`, as UTC; '-inf' or '+inf' past
    the ends of the calendar."""
    if ordinal < 1:
        return "-inf"
    if ordinal > date.max.toordinal():
        return "+inf"
    day = date.fromordinal(ordinal)
    try:
        return datetime.combine(day, time(0), zone).astimezone(UTC)
    except OverflowError:
        return "-inf" if day.year == 1 else "+inf"


def days_since(as_of: date, zone: tzinfo) -> Mapping:
    """Whole days since an instant onto the instants themselves.

    `days = as_of - local_date(ts)`, so days in [lo, hi] is local dates in
    [as_of - hi, as_of - lo], that is instants in [start(as_of - hi), start(as_of - lo + 1))
    with start() the local midnight in `zone` (DST-aware: `zoneinfo` gives the first
    instant of the day). The result has a closed low and an open high bound.
    """
    today = as_of.toordinal()

    def to_instants(interval: Interval) -> Interval | None:
        days = whole_numbers(interval)
        if days is None:
            return None
        low = high = None
        if days.high is not None:  # the most days ago is the earliest instant
            start = _day_start(today - days.high.value, zone)
            if start == "+inf":
                return None
            low = None if start == "-inf" else Bound(start)
        if days.low is not None:
            end = _day_start(today - days.low.value + 1, zone)
            if end == "-inf":
                return None
            high = None if end == "+inf" else Bound(end, open=True)
        return Interval(low, high)

    return to_instants


def _latest_birthday(as_of: date, years: int) -> date | str:
    """The latest birthday that is `years` old or more on `as_of`; '-inf' or '+inf' past
    the calendar. A 29 February as-of date falls back to the 28th in common years, which
    is the evaluator's rule (a 29 February birthday counts on 1 March)."""
    year = as_of.year - years
    if year < 1:
        return "-inf"
    if year > 9999:
        return "+inf"
    last_day = calendar.monthrange(year, as_of.month)[1]
    return date(year, as_of.month, min(as_of.day, last_day))


def age_on(as_of: date) -> Mapping:
    """Whole years of age onto birthdays: age >= n is birthday <= latest_birthday(n)."""

    def to_birthdays(interval: Interval) -> Interval | None:
        years = whole_numbers(interval)
        if years is None:
            return None
        low = high = None
        if years.low is not None:  # age >= lo: born on or before the latest such birthday
            latest = _latest_birthday(as_of, years.low.value)
            if latest == "-inf":
                return None
            high = None if latest == "+inf" else Bound(latest)
        if years.high is not None:  # age <= hi: born after the latest birthday of hi + 1
            older = _latest_birthday(as_of, years.high.value + 1)
            if older == "+inf" or older == date.max:
                return None
            if older != "-inf":
                assert isinstance(older, date)
                low = Bound(older + timedelta(days=1))
        return Interval(low, high)

    return to_birthdays
