"""Consent: an append-only log of changes per channel; the current state is derived."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.customers.errors import InvalidConsent
from domain.customers.events import ConsentChanged
from domain.events import DomainEvent
from domain.ids import new_id

MAX_SOURCE = 100
# Client clocks run a little ahead; more than this is a wrong timestamp.
CLOCK_SKEW = timedelta(minutes=5)


class ConsentChannel(StrEnum):
    """A channel marketing may reach a customer on."""

    EMAIL = "EMAIL"
    SMS = "SMS"
    PUSH = "PUSH"


class ConsentState(StrEnum):
    """Whether a customer agreed to marketing on a channel."""

    SUBSCRIBED = "SUBSCRIBED"
    UNSUBSCRIBED = "UNSUBSCRIBED"
    PENDING = "PENDING"


class OptInLevel(StrEnum):
    """How the agreement was given: SINGLE (one action) or CONFIRMED (double opt-in)."""

    SINGLE = "SINGLE"
    CONFIRMED = "CONFIRMED"


@dataclass(frozen=True, kw_only=True)
class ConsentEntry:
    """One change of consent on one channel; entries are never changed or deleted."""

    id: UUID
    customer_id: UUID
    channel: ConsentChannel
    state: ConsentState
    opt_in_level: OptInLevel | None
    source: str
    occurred_at: datetime
    recorded_at: datetime

    @property
    def order_key(self) -> tuple[datetime, datetime, UUID]:
        """Entries are ordered by when the change happened, then when it was recorded."""
        return (self.occurred_at, self.recorded_at, self.id)


@dataclass(eq=False, kw_only=True)
class ConsentLog:
    """A customer's consent history; `current(channel)` is its latest entry there."""

    customer_id: UUID
    entries: list[ConsentEntry] = field(default_factory=list)
    _events: list[DomainEvent] = field(default_factory=list, repr=False)

    def current(self, channel: ConsentChannel) -> ConsentEntry | None:
        """The latest entry on `channel`, or None if the customer was never asked."""
        on_channel = [entry for entry in self.entries if entry.channel == channel]
        return max(on_channel, key=lambda entry: entry.order_key, default=None)

    def state_of(self, channel: ConsentChannel) -> ConsentState | None:
        entry = self.current(channel)
        return entry.state if entry is not None else None

    def history(self) -> list[ConsentEntry]:
        """Every entry, oldest first."""
        return sorted(self.entries, key=lambda entry: entry.order_key)

    def record(
        self,
        *,
        channel: ConsentChannel,
        state: ConsentState,
        source: str,
        now: datetime,
        opt_in_level: OptInLevel | None = None,
        occurred_at: datetime | None = None,
    ) -> ConsentEntry | None:
        """Append a change and return it; None for an exact replay (same state, level
        and time). ConsentChanged is recorded only when the current state or level changes.

        A change dated before the current entry goes into the history without changing
        the current state (a late import of an old opt-in does not override a later one).
        """
        level = _level_for(state, opt_in_level)
        when = occurred_at or now
        if when.tzinfo is None:
            raise InvalidConsent("occurredAt must carry a timezone", field=("occurredAt",))
        if when > now + CLOCK_SKEW:
            raise InvalidConsent("occurredAt cannot be in the future", field=("occurredAt",))
        source = source.strip()
        if not source or len(source) > MAX_SOURCE:
            raise InvalidConsent(f"source must be 1 to {MAX_SOURCE} characters", field=("source",))
        before = self.current(channel)
        # Only an exact replay is dropped. A repeat at a later time is kept: it outranks a
        # late-arriving older change that would otherwise become current.
        if any(
            (e.channel, e.state, e.opt_in_level, e.occurred_at) == (channel, state, level, when)
            for e in self.entries
        ):
            return None
        entry = ConsentEntry(
            id=new_id(),
            customer_id=self.customer_id,
            channel=channel,
            state=state,
            opt_in_level=level,
            source=source,
            occurred_at=when,
            recorded_at=now,
        )
        self.entries.append(entry)
        self._note_change(channel, before)
        return entry

    def withdraw_all(self, *, source: str, now: datetime) -> list[ConsentEntry]:
        """Unsubscribe every channel that is not already unsubscribed (used on erasure)."""
        added = []
        for channel in ConsentChannel:
            state = self.state_of(channel)
            if state is not None and state != ConsentState.UNSUBSCRIBED:
                entry = self.record(
                    channel=channel, state=ConsentState.UNSUBSCRIBED, source=source, now=now
                )
                if entry is not None:
                    added.append(entry)
        return added

    def note_changes_since(self, before: dict[ConsentChannel, ConsentEntry | None]) -> None:
        """Record ConsentChanged for each channel whose current entry is not `before`'s
        (entries arrived by a merge or left by an unmerge)."""
        for channel, entry in before.items():
            self._note_change(channel, entry)

    def snapshot(self) -> dict[ConsentChannel, ConsentEntry | None]:
        return {channel: self.current(channel) for channel in ConsentChannel}

    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    def _note_change(self, channel: ConsentChannel, before: ConsentEntry | None) -> None:
        after = self.current(channel)
        if after is None or (
            before is not None
            and (before.state, before.opt_in_level) == (after.state, after.opt_in_level)
        ):
            return
        self._events.append(
            ConsentChanged(
                customer_id=self.customer_id,
                channel=channel.value,
                state=after.state.value,
                opt_in_level=after.opt_in_level.value if after.opt_in_level else None,
                previous_state=before.state.value if before else None,
                source=after.source,
                occurred_at=after.occurred_at,
            )
        )


def _level_for(state: ConsentState, level: OptInLevel | None) -> OptInLevel | None:
    if state == ConsentState.UNSUBSCRIBED:
        if level is not None:
            raise InvalidConsent("an unsubscription has no opt-in level", field=("optInLevel",))
        return None
    if level is not None:
        return level
    return OptInLevel.SINGLE if state == ConsentState.SUBSCRIBED else OptInLevel.CONFIRMED
