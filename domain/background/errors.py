"""Errors of background jobs."""

from __future__ import annotations

from domain.errors import InvalidTransition, NotFound


class JobNotFound(NotFound):
    """Raised when no job has the given id."""


class JobAlreadyFinished(InvalidTransition):
    """Raised when a finished job is started, advanced or finished again."""
