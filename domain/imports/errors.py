"""Errors of the imports context (a rejected row is no error: it is a `Rejection`)."""

from __future__ import annotations

from domain.errors import Conflict, ValidationFailed


class InvalidImportFile(ValidationFailed):
    """Raised when a file cannot be imported at all (unknown or missing columns)."""


class ImportRunMoved(Conflict):
    """Raised when another process advanced the same import run meanwhile."""


class BatchWriteConflict(Conflict):
    """Raised by a store when a batch lost a race with a concurrent writer (a unique value
    taken meanwhile, a deadlock); the batch was rolled back and can be planned again."""
