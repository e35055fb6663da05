"""Business time: periods per day, weekends, holidays, the store's timezone and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationFailed
from domain.tickets.calendar import BusinessCalendar, OpeningPeriod
from tests.unit.tickets.builders import make_calendar, paris


def test_adding_business_time_skips_the_weekend() -> None:
    calendar = make_calendar()
    # Friday 17:00: one hour left on Friday, the second hour on Monday morning.
    due = calendar.add(paris(2026, 1, 16, 17), timedelta(hours=2))
    assert due == paris(2026, 1, 19, 10)


def test_adding_business_time_skips_the_lunch_break() -> None:
    calendar = make_calendar()
    due = calendar.add(paris(2026, 1, 15, 12), timedelta(hours=1))
    assert due == paris(2026, 1, 15, 14)


def test_time_starting_outside_opening_hours_counts_from_the_next_opening() -> None:
    calendar = make_calendar()
    assert calendar.add(paris(2026, 1, 17, 10), timedelta(minutes=30)) == paris(2026, 1, 19, 9, 30)
    assert calendar.add(paris(2026, 1, 15, 12, 45), timedelta(minutes=30)) == paris(2026, 1, 15, 14)
    assert calendar.add(paris(2026, 1, 15, 20), timedelta(hours=1)) == paris(2026, 1, 16, 10)


def test_adding_business_time_skips_a_holiday() -> None:
    calendar = make_calendar(holidays=[date(2026, 5, 1)])
    # Thursday 30 April 17:00, Friday 1 May is Labour Day: Monday 4 May 10:00.
    assert calendar.add(paris(2026, 4, 30, 17), timedelta(hours=2)) == paris(2026, 5, 4, 10)
    assert calendar.between(paris(2026, 4, 30, 17), paris(2026, 5, 4, 10)) == timedelta(hours=2)


def test_adding_business_time_across_the_spring_dst_change_keeps_local_hours() -> None:
    calendar = make_calendar()
    # Friday 27 March 17:00 CET (+01:00); clocks go forward on Sunday 29 March.
    due = calendar.add(paris(2026, 3, 27, 17), timedelta(hours=4))
    assert due == paris(2026, 3, 30, 12)  # Monday 12:00 CEST (+02:00)
    assert due == datetime(2026, 3, 30, 10, tzinfo=UTC)


def test_adding_business_time_across_the_autumn_dst_change_keeps_local_hours() -> None:
    calendar = make_calendar()
    due = calendar.add(paris(2026, 10, 23, 17), timedelta(hours=4))
    assert due == datetime(2026, 10, 26, 11, tzinfo=UTC)  # Monday 12:00 CET


@pytest.mark.parametrize(
    ("day", "elapsed"),
    [(date(2026, 3, 29), timedelta(hours=5)), (date(2026, 10, 25), timedelta(hours=7))],
)
def test_a_period_spanning_a_dst_change_counts_real_elapsed_time(
    day: date, elapsed: timedelta
) -> None:
    calendar = BusinessCalendar(
        timezone="Europe/Paris", weekly={6: (OpeningPeriod(time(0), time(6)),)}
    )
    start = paris(day.year, day.month, day.day) - timedelta(hours=1)
    end = paris(day.year, day.month, day.day, 7)
    assert calendar.between(start, end) == elapsed


def test_between_counts_only_opening_time_and_is_zero_backwards() -> None:
    calendar = make_calendar()
    assert calendar.between(paris(2026, 1, 16, 17), paris(2026, 1, 19, 10)) == timedelta(hours=2)
    assert calendar.between(paris(2026, 1, 15, 9), paris(2026, 1, 15, 18)) == timedelta(hours=8)
    assert calendar.between(paris(2026, 1, 19, 10), paris(2026, 1, 16, 17)) == timedelta(0)


def test_adding_nothing_returns_the_start() -> None:
    calendar = make_calendar()
    assert calendar.add(paris(2026, 1, 17, 10), timedelta(0)) == paris(2026, 1, 17, 10)


def test_naive_datetimes_and_negative_durations_are_refused() -> None:
    calendar = make_calendar()
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add(datetime(2026, 1, 15, 10), timedelta(hours=1))
    with pytest.raises(ValueError, match="negative"):
        calendar.add(paris(2026, 1, 15, 10), timedelta(hours=-1))


def test_a_calendar_that_never_opens_cannot_add_time() -> None:
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(4 * 366)]
    calendar = make_calendar(holidays=days)
    with pytest.raises(ValueError, match="no business time"):
        calendar.add(paris(2026, 1, 1, 9), timedelta(hours=1))


def test_overlapping_periods_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="overlap on MONDAY"):
        BusinessCalendar.weekly_hours(
            "Europe/Paris", days=[0], periods=[(time(9), time(13)), (time(12), time(18))]
        )


def test_a_period_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationFailed, match="must end after it starts"):
        OpeningPeriod(time(18), time(9))


def test_an_unknown_timezone_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="unknown timezone"):
        BusinessCalendar.weekly_hours("Mars/Olympus", days=[0], periods=[(time(9), time(17))])


def test_a_calendar_without_any_opening_period_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="at least one opening period"):
        BusinessCalendar(timezone="Europe/Paris", weekly={0: ()})


_moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
_durations = st.integers(min_value=0, max_value=200 * 60).map(lambda m: timedelta(minutes=m))


@given(start=_moments, duration=_durations)
def test_between_measures_back_exactly_what_add_added(start: datetime, duration: timedelta) -> None:
    calendar = make_calendar(holidays=[date(2026, 5, 1), date(2026, 12, 25)])
    assert calendar.between(start, calendar.add(start, duration)) == duration


@given(start=_moments, first=_durations, second=_durations)
def test_adding_in_two_steps_equals_adding_at_once(
    start: datetime, first: timedelta, second: timedelta
) -> None:
    calendar = make_calendar()
    in_steps = calendar.add(calendar.add(start, first), second)
    at_once = calendar.add(start, first + second)
    # Equal as business time: they may differ only by closed time (e.g. 12:30 vs 13:30).
    assert calendar.between(in_steps, at_once) == timedelta(0)
    assert calendar.between(at_once, in_steps) == timedelta(0)
