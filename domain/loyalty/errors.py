"""Errors of the loyalty context (tiers, memberships, points)."""

from __future__ import annotations

from domain.errors import AlreadyExists, Conflict, NotFound, ValidationFailed


class InvalidTier(ValidationFailed):
    """Raised when a tier's fields are out of range (blank code, multiplier <= 0, ...)."""


class InvalidTierLadder(ValidationFailed):
    """Raised when the tiers together break a rule: the lowest rank must have threshold 0,
    and a higher rank needs a higher threshold (see `TierLadder.out_of_line`)."""


class DuplicateTierCode(AlreadyExists):
    """Raised when a tier code is already taken."""


class DuplicateTierRank(AlreadyExists):
    """Raised when another tier already has this rank."""


class TierNotFound(NotFound):
    """Raised when no tier has the given code."""


class NoTiersConfigured(NotFound):
    """Raised when the loyalty programme has no tiers at all."""


class MembershipNotFound(NotFound):
    """Raised when a customer has no membership."""


class InvalidPointsAmount(ValidationFailed):
    """Raised when a points amount is zero, negative where it must be positive, or too big."""


class IdempotencyKeyRequired(ValidationFailed):
    """Raised when a points change (not a dry run) comes without an idempotency key."""


class ReasonRequired(ValidationFailed):
    """Raised when a manual adjustment is made without a reason."""


class TicketNotFound(NotFound):
    """Raised when a points change names a ticket that does not exist."""


class TicketOfAnotherCustomer(ValidationFailed):
    """Raised when a points change names a ticket of another customer than the one credited."""


class InsufficientPoints(Conflict):
    """Raised when a redemption or deduction asks for more points than the balance holds."""


class StaleAccount(Conflict):
    """Raised when a points account changed since it was loaded (lost-update guard)."""
