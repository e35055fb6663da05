"""Domain events: facts in the past tense, collected by the unit of work.

In-transaction handlers (see `domain.bus`) react to them before the commit; after the
commit they are published (subscriptions, jobs). An event must be JSON-friendly: its
fields are str, int, float, bool, None, UUID, datetime, date, or lists/dicts of those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every domain event; `name` is its stable dotted name ("customers.created")."""

    name: ClassVar[str] = "event"
