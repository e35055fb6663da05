"""The ticket workflow: which status may follow which, and the reopen window."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

from domain.tickets.errors import InvalidTicketTransition, ReopenWindowExpired
from domain.tickets.values import TicketStatus

REOPEN_WINDOW = timedelta(days=14)

_S = TicketStatus
ALLOWED_TRANSITIONS: Mapping[TicketStatus, tuple[TicketStatus, ...]] = MappingProxyType(
    {
        _S.OPEN: (_S.IN_PROGRESS, _S.RESOLVED),
        _S.IN_PROGRESS: (_S.WAITING_ON_CUSTOMER, _S.RESOLVED),
        # Back to IN_PROGRESS when the customer answers (or an agent takes it up again).
        _S.WAITING_ON_CUSTOMER: (_S.IN_PROGRESS, _S.RESOLVED),
        # RESOLVED -> IN_PROGRESS is the reopen, allowed within REOPEN_WINDOW.
        _S.RESOLVED: (_S.IN_PROGRESS, _S.CLOSED),
        _S.CLOSED: (),
    }
)


def check_transition(
    current: TicketStatus,
    target: TicketStatus,
    *,
    resolved_at: datetime | None,
    now: datetime,
) -> None:
    """Refuse a move the workflow does not allow, naming the moves that are allowed."""
    allowed = ALLOWED_TRANSITIONS[current]
    if target not in allowed:
        if allowed:
            options = ", ".join(status.value for status in allowed)
            hint = f"allowed from {current.value}: {options}"
        else:
            hint = f"{current.value} is final: no transition is allowed"
        raise InvalidTicketTransition(
            f"cannot move a ticket from {current.value} to {target.value}; {hint}",
            field=("status",),
        )
    reopening = current is _S.RESOLVED and target is _S.IN_PROGRESS
    if reopening and (resolved_at is None or now - resolved_at > REOPEN_WINDOW):
        when = resolved_at.date().isoformat() if resolved_at else "an unknown date"
        raise ReopenWindowExpired(
            f"the ticket was resolved on {when}; a resolved ticket can be reopened only "
            f"within {REOPEN_WINDOW.days} days of its resolution; open a new ticket instead",
            field=("status",),
        )
