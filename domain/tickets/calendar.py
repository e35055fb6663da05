"""Business hours: the store's opening periods, in its timezone, less its holidays.

Why not a library: `businesstimedelta` (the only PyPI package that adds and subtracts
business *time* rather than business days) has had no release since 2019, is tied to pytz
(`tz.localize`), not `zoneinfo`, and is untyped; `business-calendar`, `bizdays` and
`workalendar` count whole days only. What we need is small: several periods per weekday,
a zoneinfo timezone, holiday dates, and the two operations below; so it is written here
and tested directly (including a property test that `add` and `between` agree).

Business time is real elapsed time inside the open periods: each period is turned into
UTC instants for its date, so a DST change shortens or lengthens only a period that spans
the change (none, with ordinary opening hours) and never shifts the periods themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import ValidationFailed

# `add` gives up after this many days without enough open time (a calendar whose every
# weekday is a holiday); a real calendar never comes near it.
_MAX_DAYS = 3 * 366

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


@dataclass(frozen=True, slots=True)
class OpeningPeriod:
    """One stretch of opening time within a day, local wall-clock time, [start, end)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValidationFailed("opening periods are local times without a timezone")
        if self.start >= self.end:
            raise ValidationFailed(
                f"an opening period must end after it starts, got {self.start}-{self.end}"
            )


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening periods per weekday (0 = Monday) in `timezone`, closed on `holidays`."""

    timezone: str
    weekly: Mapping[int, tuple[OpeningPeriod, ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationFailed(f"unknown timezone {self.timezone!r}") from exc
        object.__setattr__(self, "_zone", zone)
        for weekday, periods in self.weekly.items():
            if weekday not in range(7):
                raise ValidationFailed(f"weekday must be 0 (Monday) to 6, got {weekday}")
            ordered = sorted(periods, key=lambda p: p.start)
            for before, after in pairwise(ordered):
                if after.start < before.end:
                    raise ValidationFailed(
                        f"opening periods overlap on {WEEKDAYS[weekday]}: "
                        f"{before.start}-{before.end} and {after.start}-{after.end}"
                    )
        if not any(self.weekly.get(day) for day in range(7)):
            raise ValidationFailed("a business calendar needs at least one opening period")

    @classmethod
    def weekly_hours(
        cls,
        timezone: str,
        days: Iterable[int],
        periods: Sequence[tuple[time, time]],
        holidays: Iterable[date] = (),
    ) -> BusinessCalendar:
        """The same `periods` on each of `days` (0 = Monday), e.g. Mon-Fri with a lunch break."""
        opening = tuple(OpeningPeriod(start, end) for start, end in periods)
        return cls(
            timezone=timezone,
            weekly={day: opening for day in days},
            holidays=frozenset(holidays),
        )

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant (UTC) when `duration` of business time has passed since `start`."""
        _require_aware(start)
        if duration < timedelta(0):
            raise ValueError("business duration must not be negative")
        remaining = duration
        cursor = start.astimezone(UTC)
        if remaining == timedelta(0):
            return cursor
        for opens, closes in self._intervals_from(cursor, days=_MAX_DAYS):
            begin = max(cursor, opens)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise ValueError(f"no business time within {_MAX_DAYS} days of {start.isoformat()}")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time inside [start, end); zero when `end` is not after `start`."""
        _require_aware(start)
        _require_aware(end)
        total = timedelta(0)
        begin, finish = start.astimezone(UTC), end.astimezone(UTC)
        if finish <= begin:
            return total
        for opens, closes in self._intervals_from(begin, days=(finish - begin).days + 2):
            if opens >= finish:
                break
            total += min(closes, finish) - max(opens, begin)
        return total

    def _intervals_from(
        self, instant: datetime, *, days: int
    ) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals (UTC) that end after `instant`, in order, over the next `days`."""
        # Start a day early: a period of the previous local date may still be running.
        day = instant.astimezone(self._zone).date() - timedelta(days=1)
        for _ in range(days + 1):
            for opens, closes in self._intervals_on(day):
                if closes > instant:
                    yield opens, closes
            day += timedelta(days=1)

    def _intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.holidays:
            return []
        return [
            (self._instant(day, period.start), self._instant(day, period.end))
            for period in sorted(self.weekly.get(day.weekday(), ()), key=lambda p: p.start)
        ]

    def _instant(self, day: date, at: time) -> datetime:
        # fold=0: an ambiguous or skipped local time resolves with the earlier offset,
        # consistently for every calculation.
        return datetime.combine(day, at, tzinfo=self._zone).astimezone(UTC)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business time needs timezone-aware datetimes")
