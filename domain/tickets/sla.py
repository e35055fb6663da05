"""Service-level targets and the clocks that track them on a ticket.

A clock starts at a moment with a budget of business time. Its due time is always
`calendar.add(started_at, budget + paused)`, where `paused` is the business time the ticket
spent waiting on the customer (or resolved) while the clock ran: pausing shifts the due
time by exactly the business time lost, and a change of priority re-budgets it in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType

from domain.errors import ValidationFailed
from domain.tickets.calendar import BusinessCalendar
from domain.tickets.priority import Priority, PriorityPolicy


class SlaTarget(StrEnum):
    """What a ticket must get in time."""

    FIRST_RESPONSE = "FIRST_RESPONSE"
    NEXT_RESPONSE = "NEXT_RESPONSE"
    RESOLUTION = "RESOLUTION"


@dataclass(frozen=True, slots=True)
class SlaTargets:
    """Business-time budgets for one priority."""

    first_response: timedelta
    next_response: timedelta
    resolution: timedelta

    def __post_init__(self) -> None:
        for budget in (self.first_response, self.next_response, self.resolution):
            if budget <= timedelta(0):
                raise ValidationFailed("SLA targets must be positive durations")

    def budget(self, target: SlaTarget) -> timedelta:
        return {
            SlaTarget.FIRST_RESPONSE: self.first_response,
            SlaTarget.NEXT_RESPONSE: self.next_response,
            SlaTarget.RESOLUTION: self.resolution,
        }[target]


def _hours(hours: float) -> timedelta:
    return timedelta(hours=hours)


# Business hours; with a 8 h day, NORMAL resolution is three business days.
DEFAULT_TARGETS: Mapping[Priority, SlaTargets] = MappingProxyType(
    {
        Priority.URGENT: SlaTargets(_hours(0.5), _hours(1), _hours(4)),
        Priority.HIGH: SlaTargets(_hours(1), _hours(2), _hours(8)),
        Priority.NORMAL: SlaTargets(_hours(4), _hours(8), _hours(24)),
        Priority.LOW: SlaTargets(_hours(8), _hours(16), _hours(40)),
    }
)


@dataclass(frozen=True)
class SlaPolicy:
    """The store's business calendar and the SLA budgets per priority."""

    calendar: BusinessCalendar
    targets: Mapping[Priority, SlaTargets] = field(default_factory=lambda: DEFAULT_TARGETS)

    def __post_init__(self) -> None:
        missing = [p.value for p in Priority if p not in self.targets]
        if missing:
            raise ValidationFailed(f"SLA targets missing for priorities: {', '.join(missing)}")

    def budget(self, priority: Priority, target: SlaTarget) -> timedelta:
        return self.targets[priority].budget(target)


@dataclass(frozen=True)
class TicketSettings:
    """Everything the ticket use cases need to know about the store's service rules."""

    sla: SlaPolicy
    priorities: PriorityPolicy = field(default_factory=PriorityPolicy)

    @classmethod
    def standard(cls, timezone: str) -> TicketSettings:
        """Mon-Fri 09:00-12:30 and 13:30-18:00 in `timezone`, default targets and priorities."""
        calendar = BusinessCalendar.weekly_hours(
            timezone,
            days=range(5),
            periods=[(time(9), time(12, 30)), (time(13, 30), time(18))],
        )
        return cls(sla=SlaPolicy(calendar=calendar))


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One running (or met) SLA target of a ticket."""

    target: SlaTarget
    started_at: datetime
    budget: timedelta
    paused: timedelta
    due_at: datetime
    met_at: datetime | None = None
    breach_flagged: bool = False

    @classmethod
    def start(
        cls, target: SlaTarget, at: datetime, budget: timedelta, calendar: BusinessCalendar
    ) -> SlaClock:
        return cls(
            target=target,
            started_at=at,
            budget=budget,
            paused=timedelta(0),
            due_at=calendar.add(at, budget),
        )

    @property
    def is_running(self) -> bool:
        return self.met_at is None

    def is_breached(self, now: datetime) -> bool:
        """Whether the target was missed (still unmet after its due time)."""
        return self.met_at is None and now > self.due_at

    def met(self, at: datetime) -> SlaClock:
        return replace(self, met_at=at)

    def reopened(self) -> SlaClock:
        return replace(self, met_at=None)

    def flagged(self) -> SlaClock:
        return replace(self, breach_flagged=True)

    def resumed(self, paused: timedelta, calendar: BusinessCalendar) -> SlaClock:
        """The clock after a pause of `paused` business time: due later by as much."""
        total = self.paused + paused
        due_at = calendar.add(self.started_at, self.budget + total)
        return replace(self, paused=total, due_at=due_at)

    def rebudgeted(self, budget: timedelta, calendar: BusinessCalendar) -> SlaClock:
        """The clock under another priority's budget, keeping its start and pauses."""
        return replace(
            self, budget=budget, due_at=calendar.add(self.started_at, budget + self.paused)
        )


# Operations on a ticket's set of clocks (keyed by target); each returns the new set.
Clocks = dict[SlaTarget, SlaClock]


def resume_all(clocks: Clocks, paused: timedelta, calendar: BusinessCalendar) -> Clocks:
    """Shift every running clock by a pause of `paused` business time."""
    return {
        target: clock.resumed(paused, calendar) if clock.is_running else clock
        for target, clock in clocks.items()
    }


def meet_responses(clocks: Clocks, at: datetime) -> Clocks:
    """An agent answered: the running first- and next-response clocks are met."""
    responses = (SlaTarget.FIRST_RESPONSE, SlaTarget.NEXT_RESPONSE)
    return {
        target: clock.met(at) if target in responses and clock.is_running else clock
        for target, clock in clocks.items()
    }


def rebudget_all(clocks: Clocks, priority: Priority, sla: SlaPolicy) -> Clocks:
    """Every clock under `priority`'s budgets."""
    return {
        target: clock.rebudgeted(sla.budget(priority, target), sla.calendar)
        for target, clock in clocks.items()
    }


def earliest_due(clocks: Clocks) -> datetime | None:
    """The earliest due time of a running clock."""
    dues = [clock.due_at for clock in clocks.values() if clock.is_running]
    return min(dues) if dues else None
