"""Errors of the activity context; each subclasses a category of domain.errors."""

from __future__ import annotations

from domain.errors import ValidationFailed


class InvalidActivityEvent(ValidationFailed):
    """Raised when a behaviour event lacks a field its kind needs or has a malformed one."""


class TooManyEvents(ValidationFailed):
    """Raised when a batch holds more events than one call may record."""
