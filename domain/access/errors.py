"""Errors of the access context."""

from __future__ import annotations

from domain.errors import InvalidTransition, NotFound, ValidationFailed


class InvalidKeyName(ValidationFailed):
    """Raised when an API key name is empty or too long."""


class ApiKeyNotFound(NotFound):
    """Raised when no API key has the given id."""


class ApiKeyAlreadyRevoked(InvalidTransition):
    """Raised when revoking a key that is already revoked."""
