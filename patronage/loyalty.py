"""Loyalty's wiring: the programme from settings, its handlers and merge participant.

The programme is read once from the settings (the base currency decides how many minor
units make the major unit points are earned on) and handed to the handlers, the API,
jobs and the CLI alike.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from domain.bus import EventHandlers
from domain.customers.participants import Participants
from domain.loyalty.erasure import register_erasure_handler
from domain.loyalty.goodwill import register_goodwill_handler
from domain.loyalty.handlers import register_handlers as register_loyalty_handlers
from domain.loyalty.merge import LoyaltyMergeParticipant
from domain.loyalty.program import LoyaltyProgram
from domain.money import currency_exponent
from domain.ports import Clock
from patronage.clock import SystemClock
from patronage.settings import Settings


@lru_cache(maxsize=8)
def loyalty_program(settings: Settings) -> LoyaltyProgram:
    """The programme for the store's base currency (the other rules are the defaults)."""
    currency = settings.base_currency
    return LoyaltyProgram(
        base_currency=currency, minor_units_per_major=10 ** currency_exponent(currency)
    )


def store_today(settings: Settings, clock: Clock) -> date:
    """Today's date in the store's time zone (the day nightly steps run for)."""
    return clock.now().astimezone(settings.zone).date()


def register_handlers(handlers: EventHandlers, *, settings: Settings) -> None:
    """Loyalty's in-transaction reactions (earning, bonuses, qualification, goodwill,
    closing the points of erased customers)."""
    register_loyalty_handlers(handlers, loyalty_program(settings), SystemClock())
    register_goodwill_handler(handlers, SystemClock(), loyalty_program(settings))
    register_erasure_handler(handlers, SystemClock())


def register_participants(participants: Participants) -> None:
    """Loyalty's part in customer merges (ledger, lots, balance and tier move)."""
    participants.add_merge_participant(LoyaltyMergeParticipant(SystemClock()))
