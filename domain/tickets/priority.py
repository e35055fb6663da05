"""Ticket priority, and the policy that defaults it from the customer's value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Priority(StrEnum):
    """How soon a ticket must be served; URGENT first in the queue."""

    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"

    @property
    def rank(self) -> int:
        """Queue position of the priority: 0 for URGENT (served first) to 3 for LOW."""
        return _RANK[self]


_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}

# GOLD and PLATINUM are the store's high-value members: both are served before the rest.
# URGENT stays for an agent's explicit call (an outage, a legal threat), never a default:
# if every top-tier ticket were URGENT the word would mean nothing in the queue.
DEFAULT_TIER_PRIORITIES: Mapping[str, Priority] = MappingProxyType(
    {
        "MEMBER": Priority.NORMAL,
        "SILVER": Priority.NORMAL,
        "GOLD": Priority.HIGH,
        "PLATINUM": Priority.HIGH,
    }
)


@dataclass(frozen=True)
class PriorityPolicy:
    """Defaults a ticket's priority from the customer's tier and, when scored, CLV.

    The higher of the two wins: a MEMBER whose predicted value (`clv`, minor units of the
    base currency) reaches `high_value_clv` is served like a GOLD member.
    """

    by_tier: Mapping[str, Priority] = field(default_factory=lambda: DEFAULT_TIER_PRIORITIES)
    default: Priority = Priority.NORMAL
    high_value_clv: int | None = None
    high_value_priority: Priority = Priority.HIGH

    def priority_for(self, *, tier_code: str | None, clv: int | None = None) -> Priority:
        """The default priority for a customer of `tier_code` (None: no membership)."""
        by_tier = self.by_tier.get(tier_code, self.default) if tier_code else self.default
        if (
            clv is not None
            and self.high_value_clv is not None
            and clv >= self.high_value_clv
            and self.high_value_priority.rank < by_tier.rank
        ):
            return self.high_value_priority
        return by_tier
